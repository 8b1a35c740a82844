#!/usr/bin/env python3
"""Reads decrypted mail from the pipeline's output queue with boto3: inline text, base64, or offloaded to the payload
bucket (the SQS Extended Client pointer), each checked against ContentLength and ContentSha256.

Two ways to run it:
  - as a poller: QUEUE_URL=... PAYLOAD_BUCKET=... python3 consume.py [OUT_DIR]
    receives until the queue is empty, writes <OUT_DIR>/<SesMessageId>.eml, prints one JSON line per mail and deletes
    it; a refused message is reported as {"refused": "<code>"} on stderr and left on the queue (after five receives it
    moves to the dead-letter queue); the exit status is then 1.
  - as a Lambda function with an SQS trigger: handler "consume.handler" (deploy consume.py and mail_parsing.py),
    PAYLOAD_BUCKET set. It logs one line per mail (id, delivery, verdicts, size; nothing of the mail) and returns the
    refused messages as batchItemFailures (turn on ReportBatchItemFailures on the trigger, or a refusal fails the
    whole batch: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).

QUEUE_URL and PAYLOAD_BUCKET are the stack outputs <construct id>OutputQueueUrl and <construct id>PayloadBucketName:
InboundMailOutputQueueUrl and InboundMailPayloadBucketName for the construct id InboundMail (this project's app).
Credentials: boto3's default chain. Region: AWS_REGION, else AWS_DEFAULT_REGION, else boto3's configuration (a
profile), else the region in the queue URL (https://sqs.<region>.amazonaws.com/...).

A pointer is followed only into PAYLOAD_BUCKET under payloads/, for at most 40 MiB, after the object's ContentLength
matches, reading no more than that. A message whose SES message id is not a plain file name is refused
(UNSAFE_MESSAGE_ID) when OUT_DIR is given.

Each mail is also parsed with the standard library's email package (parse_mail, the counterpart of the Node helper
parseForwardedMail): one JSON line per mail with its subject, date, text and HTML lengths and attachments (name, type,
size); addresses only with SHOW_ADDRESSES=1. A mail the parser refuses is still delivered, its summary says why.
The message contract is docs/CONTRACT.md. Dependencies: requirements.txt beside this file.
"""
import base64
import hashlib
import json
import os
import re
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from mail_parsing import MAX_BYTES, Refused, mail_summary, parse_mail  # noqa: F401 (parse_mail: for importers)

POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer"
# S3's answers that no retry changes: the payload is not there, or the caller may not read it.
UNREADABLE = {"NoSuchKey", "NotFound", "NoSuchBucket", "AccessDenied", "Forbidden", "403", "404"}
PAYLOAD_PREFIX = "payloads/"
# Letters, digits, '.', '_' and '-', not starting with '.': a payload's name after the prefix, and the only message
# ids this consumer turns into file names (SES's are letters and digits). No '/', '\\', '..', NUL or absolute path.
PAYLOAD_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,511}")
PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


def attribute(message, name):
    value = message.get("MessageAttributes", {}).get(name)
    return None if value is None else value.get("StringValue")


def from_lambda_record(record):
    """A Lambda SQS event record (body, messageAttributes with stringValue) in ReceiveMessage's shape."""
    attributes = record.get("messageAttributes") or {}
    return {
        "MessageId": record.get("messageId"),
        "Body": record.get("body", ""),
        "MessageAttributes": {name: {"StringValue": value.get("stringValue"), "DataType": value.get("dataType")}
                              for name, value in attributes.items()},
    }


QUEUE_URL_REGION = re.compile(r"https://sqs[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/")


def region_name(environ, queue_url, configured=None):
    """AWS_REGION (boto3 reads only AWS_DEFAULT_REGION), AWS_DEFAULT_REGION, boto3's configured region (`configured`),
    then the region in the queue URL's host; None when none of them names one."""
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if environ.get(name):
            return environ[name]
    if configured:
        return configured
    match = QUEUE_URL_REGION.match(queue_url or "")
    return match.group(1) if match else None


def clients(queue_url):
    """The SQS and S3 clients, in the region region_name finds."""
    session = boto3.session.Session()
    region = region_name(os.environ, queue_url, session.region_name)
    sqs = session.client("sqs", region_name=region)
    # Path-style addressing for a local S3 endpoint (AWS_ENDPOINT_URL_S3); the default elsewhere.
    local = os.environ.get("AWS_ENDPOINT_URL_S3")
    s3 = session.client("s3", region_name=region, config=Config(s3={"addressing_style": "path"}) if local else None)
    return sqs, s3


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
    except (ValueError, RecursionError):
        pointer = None
    if not (isinstance(pointer, list) and len(pointer) == 2 and pointer[0] == POINTER_CLASS
            and isinstance(pointer[1], dict)):
        raise Refused("MESSAGE_MALFORMED", "offloaded message without a payload pointer")
    bucket, key = pointer[1].get("s3BucketName"), pointer[1].get("s3Key")
    if not payload_bucket:
        raise Refused("OFFLOAD_NOT_CONFIGURED", "message is offloaded: set PAYLOAD_BUCKET")
    if bucket != payload_bucket:
        raise Refused("POINTER_BUCKET_REFUSED", "pointer names a bucket other than the payload bucket")
    if not (isinstance(key, str) and key.startswith(PAYLOAD_PREFIX)
            and PAYLOAD_NAME.fullmatch(key[len(PAYLOAD_PREFIX):])):
        raise Refused("POINTER_KEY_REFUSED", "pointer key is not the payload prefix followed by a name")
    if size > MAX_BYTES:
        raise Refused("TOO_LARGE", f"mail is announced as {size} bytes, over the limit of {MAX_BYTES}")
    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        # No such payload (forged, or past its lifetime) or not ours to read: refuse this message, not the loop.
        # Anything else (throttling, 5xx) is raised, to be retried.
        code = error.response.get("Error", {}).get("Code")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in UNREADABLE or (not code and status in (403, 404)):
            raise Refused("PAYLOAD_UNREADABLE", "payload object could not be read") from None
        raise
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
    if length is None:
        raise Refused("MESSAGE_MALFORMED", "message has no ContentLength attribute")
    payload_size = size_attribute(message, "ExtendedPayloadSize")
    if payload_size is None:
        payload_size = size_attribute(message, "SQSLargePayloadSize")
    if payload_size is not None:
        mime = read_payload(message, s3, payload_bucket, payload_size)
        delivery = "offloaded"
    else:
        encoding = attribute(message, "ContentEncoding") or "identity"
        if encoding == "base64":
            try:
                mime = base64.b64decode(message["Body"], validate=True)
            except ValueError:
                raise Refused("MESSAGE_MALFORMED", "body is not base64") from None
        elif encoding == "identity":
            mime = message["Body"].encode("utf-8")
        else:
            raise Refused("MESSAGE_MALFORMED", "unknown ContentEncoding")
        delivery = "inline"
    if len(mime) != length:
        raise Refused("LENGTH_MISMATCH", "mail length differs from ContentLength")
    if hashlib.sha256(mime).hexdigest() != expected_sha256:
        raise Refused("SHA256_MISMATCH", "mail does not match ContentSha256")
    verdicts = attribute(message, "SesVerdicts")
    if verdicts is not None:
        try:
            verdicts = json.loads(verdicts)
        except (ValueError, RecursionError):
            verdicts = None
        if not isinstance(verdicts, dict):
            raise Refused("MESSAGE_MALFORMED", "SesVerdicts is not a JSON object")
        # As the Node helper: the values SES writes are text; anything else is dropped.
        verdicts = {name: value for name, value in verdicts.items() if isinstance(value, str)}
    return {
        "sesMessageId": attribute(message, "SesMessageId"),
        "mime": mime,
        "delivery": delivery,
        "verdicts": verdicts,
        "verdictRefusal": verdict_refusal(attribute(message, "VerdictRefusal")),
    }


def verdict_refusal(value):
    """The VerdictRefusal attribute (marked, or released by an operator): action, reasons and, for released mail,
    quarantinedAt, releasedAt, virusRiskAccepted; None when absent. Refused when it is not one."""
    if value is None:
        return None
    try:
        refusal = json.loads(value)
    except (ValueError, RecursionError):
        refusal = None
    if not (isinstance(refusal, dict) and isinstance(refusal.get("action"), str)
            and isinstance(refusal.get("reasons"), list) and all(isinstance(r, str) for r in refusal["reasons"])
            and all(isinstance(refusal.get(k, ""), str) for k in ("quarantinedAt", "releasedAt"))
            and isinstance(refusal.get("virusRiskAccepted", False), bool)):
        raise Refused("MESSAGE_MALFORMED", "VerdictRefusal is not a verdict refusal")
    return {k: refusal[k] for k in ("action", "reasons", "quarantinedAt", "releasedAt", "virusRiskAccepted")
            if k in refusal}


def mail_file_path(out_dir, ses_message_id):
    """<out_dir>/<id>.eml, or None when the id is not a plain name or the path would leave out_dir."""
    if not isinstance(ses_message_id, str) or not PLAIN_NAME.fullmatch(ses_message_id):
        return None
    folder = os.path.realpath(out_dir)
    path = os.path.realpath(os.path.join(folder, ses_message_id + ".eml"))
    return path if os.path.dirname(path) == folder else None


def handler(event, context=None, deliver=None):
    """Lambda SQS trigger: reads each record, logs (or passes to `deliver`) each mail, and returns the refused ones as
    batchItemFailures, which Lambda makes visible again (ReportBatchItemFailures on the trigger)."""
    payload_bucket = os.environ.get("PAYLOAD_BUCKET")
    s3 = clients(None)[1]
    failures = []
    for record in event.get("Records", []):
        message = from_lambda_record(record)
        try:
            mail = read_forwarded_mail(message, s3, payload_bucket)
            (deliver or log_mail)(mail)
        except Refused as refused:
            print(json.dumps({"refused": refused.code}))
            failures.append({"itemIdentifier": record.get("messageId")})
        except Exception as error:  # noqa: BLE001 - one record's failure must not return the batch's delivered ones
            # Raising would make Lambda return the whole batch, delivered records included: only this one returns.
            print(json.dumps({"failed": type(error).__name__}))
            failures.append({"itemIdentifier": record.get("messageId")})
    return {"batchItemFailures": failures}


def log_mail(mail):
    """The handler's default delivery, a log line: id, delivery, verdicts and size, nothing of the mail itself (no
    subject: Lambda's output goes to CloudWatch Logs). Replace it with your own processing."""
    print(json.dumps({k: v for k, v in mail.items() if k != "mime"} | {"bytes": len(mail["mime"])}))


def print_mail(mail):
    """One JSON line: id, delivery, verdicts, size and the parsed summary; never the content."""
    summary = mail_summary(mail["mime"], os.environ.get("SHOW_ADDRESSES") == "1")
    print(json.dumps({k: v for k, v in mail.items() if k != "mime"} | {"bytes": len(mail["mime"]), "mail": summary}))


def main(argv):
    if any(arg in ("-h", "--help") for arg in argv[1:]):
        print(__doc__)
        return 0
    queue_url = os.environ.get("QUEUE_URL")
    payload_bucket = os.environ.get("PAYLOAD_BUCKET")
    if not queue_url or not payload_bucket:
        print("set QUEUE_URL and PAYLOAD_BUCKET to the stack outputs InboundMailOutputQueueUrl and "
              "InboundMailPayloadBucketName (<construct id>OutputQueueUrl, <construct id>PayloadBucketName); --help",
              file=sys.stderr)
        return 2
    out_dir = argv[1] if len(argv) > 1 else None
    sqs, s3 = clients(queue_url)
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
            print_mail(mail)
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
