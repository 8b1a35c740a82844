"""The standard library's email package over a forwarded mail: parse_mail (the counterpart of the Node helper
parseForwardedMail) and mail_summary, what consume.py prints of a mail. Refusals are Refused with a stable code."""
import email
import email.errors
import email.header
import email.policy
import email.utils
import re

MAX_BYTES = 41_943_040
# As the Node helper's defaults (parseForwardedMail): the email package builds an object per part and per line of
# them; 52,000 empty parts took it 10 s, 400,000 took 63 s and 207 MB. Counted before anything is parsed.
MAX_LINES = 600_000
MAX_PARTS = 10_000
# The email package's header parser takes time that grows with the square of a field's tokens (40 KB of quoted
# strings in a From took 35 s; 20,000 Content-Type parameters 23 s; 700 KB of encoded words in a Subject 44 s). So
# addresses are read with email.utils.getaddresses, which is linear, the other fields are kept as they came
# (raw_items), and the fields the package must parse (Subject, and Content-* in any part) are refused over
# MAX_PARSED_FIELD_BYTES before anything is parsed; any other field over MAX_FIELD_BYTES.
MAX_FIELD_BYTES = 1024 * 1024
MAX_PARSED_FIELD_BYTES = 8 * 1024
PARSED_FIELD = re.compile(rb"(?im)^(?:subject|content-[a-z-]*)[ \t]*:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*")
FIELD_NAME = re.compile(rb"^[!-9;-~]+:")
MBOX_FROM = re.compile(rb"^From (?![ \t]*:)")


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


def check_fields(mime):
    """Refuses, before anything is parsed, a mail over MAX_LINES lines or MAX_PARTS part delimiters, a field over the
    bounds above (folded lines included), a header line that is not `Name: value` (`From : x` is a From field to some
    readers and none to others) or holds a bare CR."""
    if mime.count(b"\n") + (0 if mime.endswith(b"\n") else 1) > MAX_LINES:
        raise Refused("MAIL_TOO_COMPLEX", f"mail has more than {MAX_LINES} lines")
    if len(re.findall(rb"(?m)^--", mime)) > MAX_PARTS:
        raise Refused("MAIL_TOO_COMPLEX", f"mail has more than {MAX_PARTS} MIME part delimiters")
    head = re.split(rb"\r?\n\r?\n", mime, maxsplit=1)[0]
    # A CR not before LF ends a line here (the email package) and not in other readers (postal-mime): they would
    # read different fields.
    if re.search(rb"\r(?!\n)", head):
        raise Refused("MAIL_MALFORMED", "a header line holds a carriage return not followed by a line feed")
    for index, field in enumerate(re.split(rb"\r?\n(?![ \t])", head)):
        if len(field) > MAX_FIELD_BYTES:
            raise Refused("MAIL_TOO_COMPLEX", "a header field is over this reader's bound")
        # An mbox separator line (`From sender date`) may come first: the package keeps it apart (get_unixfrom).
        if field and not FIELD_NAME.match(field) and not (index == 0 and MBOX_FROM.match(field)):
            raise Refused("MAIL_MALFORMED", "a header line is not a Name: value field")
    for section in header_sections(mime):
        if any(len(m.group(0)) > MAX_PARSED_FIELD_BYTES for m in PARSED_FIELD.finditer(section)):
            raise Refused("MAIL_TOO_COMPLEX", "a Subject or Content- field is over this reader's bound")


def header_sections(mime):
    """The top header section and each part's: from the top, or from a line starting with `--` (a part's boundary),
    up to the next empty line. A body line that starts with `--` may start a false one; a body line that does not
    (a `Content-Security-Policy:` line of a pasted HTTP dump) is never read as a field."""
    for match in re.finditer(rb"(?:\A|^--[^\r\n]*\r?\n)(.*?)(?:^\r?$|\Z)", mime, re.M | re.S):
        yield match.group(1)


def unfolded(value):
    """A raw field value with its folds joined and its encoded words decoded (RFC 2047), as the package would give it;
    the raw text when it does not decode."""
    text = re.sub(r"\r?\n(?=[ \t])", "", value).strip()
    try:
        return str(email.header.make_header(email.header.decode_header(text)))
    except (LookupError, ValueError, UnicodeError, email.errors.HeaderParseError):
        return text


def raw_values(message, name):
    """The values of every field called `name` (case and spaces around the name ignored), unparsed."""
    return [str(value) for key, value in message.raw_items() if key.strip().lower() == name.lower()]


def addresses(message, name):
    return [{"address": address, "name": unfolded(display)} for display, address in
            email.utils.getaddresses(raw_values(message, name)) if address]


def date_of(message):
    """The Date field as a datetime; None when absent or unreadable (a damaged date does not refuse the mail)."""
    raw = (raw_values(message, "Date") or [None])[0]
    try:
        return None if raw is None else email.utils.parsedate_to_datetime(unfolded(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def sender(message):
    """The one From address. Two From fields, or one that reads as other than one address (`ceo@victim.example
    <me@attacker.example>` reads as two), are refused: readers would differ on who sent the mail."""
    if len(raw_values(message, "From")) > 1:
        raise Refused("MAIL_MALFORMED", "mail has more than one From field")
    found = addresses(message, "From")
    if len(found) > 1:
        raise Refused("MAIL_MALFORMED", "the From field is not one address")
    return found[0] if found else None


def parse_mail(mime):
    """Headers, addresses, subject, date, text, HTML and attachments of the MIME bytes, with the standard library's
    email package. Raises Refused (MAIL_TOO_LARGE, MAIL_TOO_COMPLEX, MAIL_MALFORMED), naming nothing of the mail."""
    if len(mime) > MAX_BYTES:
        raise Refused("MAIL_TOO_LARGE", f"mail is {len(mime)} bytes, over the limit of {MAX_BYTES}")
    check_fields(mime)
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
                # Its header fields as they came: refolding them (the default policy's) takes time that grows with
                # the square of a field's length (a 600 KB Subject took 77 s).
                inner = part.get_payload(0)
                content = inner.as_bytes(policy=inner.policy.clone(refold_source="none"))
            else:
                content = part.get_payload(decode=True) or b""
            attachments.append({"filename": part.get_filename(), "contentType": part.get_content_type(),
                                "disposition": part.get_content_disposition(), "size": len(content),
                                "content": content})
        message_id = (raw_values(message, "Message-ID") or [None])[0]
        return {
            "headers": [{"name": name, "value": unfolded(str(value))} for name, value in message.raw_items()],
            "from": sender(message),
            "to": addresses(message, "To"),
            "cc": addresses(message, "Cc"),
            "subject": message["Subject"],
            "date": date_of(message),
            "messageId": None if message_id is None else unfolded(message_id),
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
