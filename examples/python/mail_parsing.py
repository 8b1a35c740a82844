"""The standard library's email package over a forwarded mail: parse_mail (the counterpart of the Node helper
parseForwardedMail) and mail_summary, what consume.py prints of a mail. Refusals are Refused with a stable code."""
import email
import email.errors
import email.policy

MAX_BYTES = 41_943_040


class Refused(Exception):
    """A message this consumer will not deliver; `code` is stable, the text names no content."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code = code



MAX_NESTING_DEPTH = 64


def mime_leaves(part, depth=0):
    """The parts that are not multiparts, in order; a forwarded mail (message/rfc822) is one part, not descended."""
    if depth > MAX_NESTING_DEPTH:
        raise Refused("MAIL_TOO_COMPLEX", f"MIME parts nest deeper than {MAX_NESTING_DEPTH}")
    if part.get_content_maintype() != "multipart":
        yield part
        return
    for sub in part.iter_parts():
        yield from mime_leaves(sub, depth + 1)


def addresses(message, name):
    header = message[name]
    return [] if header is None else [{"address": a.addr_spec, "name": a.display_name} for a in header.addresses]


def parse_mail(mime):
    """Headers, addresses, subject, date, text, HTML and attachments of the MIME bytes, with the standard library's
    email package. Raises Refused (MAIL_TOO_LARGE, MAIL_TOO_COMPLEX, MAIL_MALFORMED), naming nothing of the mail."""
    if len(mime) > MAX_BYTES:
        raise Refused("MAIL_TOO_LARGE", f"mail is {len(mime)} bytes, over the limit of {MAX_BYTES}")
    try:
        message = email.message_from_bytes(mime, policy=email.policy.default)
        if not message.keys() or message.defects and any(
                isinstance(d, email.errors.MissingHeaderBodySeparatorDefect) for d in message.defects):
            raise Refused("MAIL_MALFORMED", "mail has no header section")
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        attachments = []
        for part in mime_leaves(message):
            if part is text_part or part is html_part:
                continue
            if part.get_content_type() == "message/rfc822":
                content = part.get_payload(0).as_bytes()
            else:
                content = part.get_payload(decode=True) or b""
            attachments.append({"filename": part.get_filename(), "contentType": part.get_content_type(),
                                "disposition": part.get_content_disposition(), "size": len(content),
                                "content": content})
        date = message["Date"]
        return {
            "headers": [{"name": name, "value": str(value)} for name, value in message.items()],
            "from": (addresses(message, "From") or [None])[0],
            "to": addresses(message, "To"),
            "cc": addresses(message, "Cc"),
            "subject": message["Subject"],
            "date": getattr(date, "datetime", None) if date is not None else None,
            "messageId": message["Message-ID"],
            "text": None if text_part is None else text_part.get_content(),
            "html": None if html_part is None else html_part.get_content(),
            "attachments": attachments,
        }
    except Refused:
        raise
    except (LookupError, ValueError, TypeError, AttributeError, IndexError, RecursionError, email.errors.MessageError):
        raise Refused("MAIL_MALFORMED", "the email package could not read the mail") from None


def mail_summary(mime, show_addresses=False):
    """What main prints of a mail: no addresses unless asked, no content but the subject."""
    try:
        mail = parse_mail(mime)
    except Refused as refused:
        return {"refused": refused.code}
    summary = {
        "subject": mail["subject"],
        "date": None if mail["date"] is None else mail["date"].isoformat(),
        "textChars": None if mail["text"] is None else len(mail["text"]),
        "htmlChars": None if mail["html"] is None else len(mail["html"]),
        "attachments": [{k: a[k] for k in ("filename", "contentType", "size")} for a in mail["attachments"]],
    }
    if show_addresses:
        summary |= {"from": mail["from"], "to": mail["to"], "cc": mail["cc"]}
    return summary
