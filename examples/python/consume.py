#!/usr/bin/env python3
"""Reads decrypted mail from the output queue with boto3: inline text, base64, or offloaded to the payload bucket
(the SQS Extended Client pointer), each checked against ContentLength and ContentSha256, then deleted.

A pointer is followed only into PAYLOAD_BUCKET under payloads/, for at most 40 MiB, after the object's ContentLength
matches, reading no more than that. A message refused for that, or whose SES message id is not a plain file name, is
reported by its code on stderr and left on the queue (after five receives it moves to the dead-letter queue); the exit
status is then 1.

Each mail is also parsed with the standard library's email package (parse_mail, the counterpart of the Node helper
parseForwardedMail): one JSON line per mail with its subject, date, text and HTML lengths and attachments (name, type,
size); addresses only with SHOW_ADDRESSES=1. A mail the parser refuses is still delivered, its summary says why.

Usage: QUEUE_URL=https://sqs.... PAYLOAD_BUCKET=... python3 consume.py [OUT_DIR]
(the stack outputs OutputQueueUrl and PayloadBucketName; credentials and region: boto3's default chain)
The message contract is docs/CONTRACT.md.
"""
import base64
import email
import email.errors
import email.policy
import hashlib
import json
import os
import re
import sys

import boto3
from botocore.config import Config

POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer"
PAYLOAD_PREFIX = "payloads/"
MAX_BYTES = 41_943_040
# Letters, digits, '.', '_' and '-', not starting with '.': a payload's name after the prefix, and the only message
# ids this consumer turns into file names (SES's are letters and digits). No '/', '\\', '..', NUL or absolute path.
PAYLOAD_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,511}")
PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


class Refused(Exception):
    """A message this consumer will not deliver; `code` is stable, the text names no content."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code = code


def attribute(message, name):
    value = message.get("MessageAttributes", {}).get(name)
    return None if value is None else value.get("StringValue")


def size_attribute(message, name):
    value = attribute(message, name)
    if value is None:
        return None
    if not re.fullmatch(r"[0-9]{1,15}", value):
        raise Refused("MESSAGE_MALFORMED", f"{name} is not a whole number")
    return int(value)


def read_payload(message, s3, payload_bucket, size):
    """The payload's bytes: only from the payload bucket and prefix, only `size` bytes, read no further."""
    try:
        pointer = json.loads(message["Body"])
    except ValueError:
        pointer = None
    if not (isinstance(pointer, list) and len(pointer) == 2 and pointer[0] == POINTER_CLASS
            and isinstance(pointer[1], dict)):
        raise Refused("MESSAGE_MALFORMED", "offloaded message without a payload pointer")
    bucket, key = pointer[1].get("s3BucketName"), pointer[1].get("s3Key")
    if bucket != payload_bucket:
        raise Refused("POINTER_BUCKET_REFUSED", "pointer names a bucket other than the payload bucket")
    if not (isinstance(key, str) and key.startswith(PAYLOAD_PREFIX)
            and PAYLOAD_NAME.fullmatch(key[len(PAYLOAD_PREFIX):])):
        raise Refused("POINTER_KEY_REFUSED", "pointer key is not the payload prefix followed by a name")
    if size > MAX_BYTES:
        raise Refused("TOO_LARGE", f"mail is announced as {size} bytes, over the limit of {MAX_BYTES}")
    response = s3.get_object(Bucket=bucket, Key=key)
    body = response["Body"]
    try:
        if response.get("ContentLength") != size:
            raise Refused("LENGTH_MISMATCH", "payload object's ContentLength is not the announced size")
        mime = body.read(size + 1)
    finally:
        body.close()
    if len(mime) != size:
        raise Refused("LENGTH_MISMATCH", "payload is not the announced size")
    return mime


def read_forwarded_mail(message, s3, payload_bucket):
    """The exact MIME bytes of one message, after checking its length and SHA-256. Raises Refused otherwise."""
    expected_sha256 = attribute(message, "ContentSha256")
    if expected_sha256 is None:
        raise Refused("MESSAGE_MALFORMED", "message has no ContentSha256 attribute")
    length = size_attribute(message, "ContentLength")
    payload_size = size_attribute(message, "ExtendedPayloadSize")
    if payload_size is None:
        payload_size = size_attribute(message, "SQSLargePayloadSize")
    if payload_size is not None:
        mime = read_payload(message, s3, payload_bucket, payload_size)
        delivery = "offloaded"
    else:
        encoding = attribute(message, "ContentEncoding") or "identity"
        if encoding == "base64":
            mime = base64.b64decode(message["Body"], validate=True)
        elif encoding == "identity":
            mime = message["Body"].encode("utf-8")
        else:
            raise Refused("MESSAGE_MALFORMED", "unknown ContentEncoding")
        delivery = "inline"
    if length is None or len(mime) != length:
        raise Refused("LENGTH_MISMATCH", "mail length differs from ContentLength")
    if hashlib.sha256(mime).hexdigest() != expected_sha256:
        raise Refused("SHA256_MISMATCH", "mail does not match ContentSha256")
    verdicts = attribute(message, "SesVerdicts")
    return {
        "sesMessageId": attribute(message, "SesMessageId"),
        "mime": mime,
        "delivery": delivery,
        "verdicts": None if verdicts is None else json.loads(verdicts),
    }


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


def mail_file_path(out_dir, ses_message_id):
    """<out_dir>/<id>.eml, or None when the id is not a plain name or the path would leave out_dir."""
    if not isinstance(ses_message_id, str) or not PLAIN_NAME.fullmatch(ses_message_id):
        return None
    folder = os.path.realpath(out_dir)
    path = os.path.realpath(os.path.join(folder, ses_message_id + ".eml"))
    return path if os.path.dirname(path) == folder else None


def main():
    queue_url = os.environ.get("QUEUE_URL")
    payload_bucket = os.environ.get("PAYLOAD_BUCKET")
    if not queue_url or not payload_bucket:
        print("set QUEUE_URL and PAYLOAD_BUCKET to the stack outputs OutputQueueUrl and PayloadBucketName",
              file=sys.stderr)
        return 2
    out_dir = sys.argv[1] if len(sys.argv) > 1 else None
    sqs = boto3.client("sqs")
    # Path-style addressing for a local S3 endpoint (AWS_ENDPOINT_URL_S3); the default elsewhere.
    s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}) if os.environ.get("AWS_ENDPOINT_URL_S3") else None)
    status = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return status
        for message in messages:
            try:
                mail = read_forwarded_mail(message, s3, payload_bucket)
                path = None
                if out_dir:
                    path = mail_file_path(out_dir, mail["sesMessageId"])
                    if path is None:
                        raise Refused("UNSAFE_MESSAGE_ID", "SES message id is not a plain file name")
            except Refused as refused:
                # The code only: never the id, addresses or content. The message stays on the queue.
                print(json.dumps({"refused": refused.code}), file=sys.stderr)
                status = 1
                continue
            if path:
                os.makedirs(out_dir, exist_ok=True)
                with open(path, "wb") as out:
                    out.write(mail["mime"])
            summary = mail_summary(mail["mime"], os.environ.get("SHOW_ADDRESSES") == "1")
            print(json.dumps({k: v for k, v in mail.items() if k != "mime"} | {"bytes": len(mail["mime"]),
                                                                               "mail": summary}))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    sys.exit(main())
