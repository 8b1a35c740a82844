#!/usr/bin/env python3
"""Reads decrypted mail from the output queue with boto3: inline text, base64, or offloaded to the payload bucket
(the SQS Extended Client pointer), each checked against ContentLength and ContentSha256, then deleted.

Usage: QUEUE_URL=https://sqs.... python3 consume.py [OUT_DIR]   (credentials and region: boto3's default chain)
The message contract is docs/CONTRACT.md.
"""
import base64
import hashlib
import json
import os
import sys

import boto3
from botocore.config import Config

POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer"


def attribute(message, name):
    value = message.get("MessageAttributes", {}).get(name)
    return None if value is None else value.get("StringValue")


def read_forwarded_mail(message, s3):
    """The exact MIME bytes of one message, after checking its length and SHA-256. Raises ValueError otherwise."""
    body = message["Body"]
    payload_size = attribute(message, "ExtendedPayloadSize") or attribute(message, "SQSLargePayloadSize")
    if payload_size is not None:
        pointer = json.loads(body)
        if not (isinstance(pointer, list) and len(pointer) == 2 and pointer[0] == POINTER_CLASS):
            raise ValueError("offloaded message without a payload pointer")
        location = pointer[1]
        mime = s3.get_object(Bucket=location["s3BucketName"], Key=location["s3Key"])["Body"].read()
        delivery = "offloaded"
    else:
        encoding = attribute(message, "ContentEncoding") or "identity"
        if encoding == "base64":
            mime = base64.b64decode(body, validate=True)
        elif encoding == "identity":
            mime = body.encode("utf-8")
        else:
            raise ValueError("unknown ContentEncoding")
        delivery = "inline"
    if str(len(mime)) != attribute(message, "ContentLength"):
        raise ValueError("mail length differs from ContentLength")
    if hashlib.sha256(mime).hexdigest() != attribute(message, "ContentSha256"):
        raise ValueError("mail does not match ContentSha256")
    verdicts = attribute(message, "SesVerdicts")
    return {
        "sesMessageId": attribute(message, "SesMessageId"),
        "mime": mime,
        "delivery": delivery,
        "verdicts": None if verdicts is None else json.loads(verdicts),
    }


def main():
    queue_url = os.environ.get("QUEUE_URL")
    if not queue_url:
        print("set QUEUE_URL to the stack output OutputQueueUrl", file=sys.stderr)
        return 2
    out_dir = sys.argv[1] if len(sys.argv) > 1 else None
    sqs = boto3.client("sqs")
    # Path-style addressing for a local S3 endpoint (AWS_ENDPOINT_URL_S3); the default elsewhere.
    s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}) if os.environ.get("AWS_ENDPOINT_URL_S3") else None)
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return 0
        for message in messages:
            mail = read_forwarded_mail(message, s3)
            if out_dir:
                os.makedirs(out_dir, exist_ok=True)
                with open(os.path.join(out_dir, f"{mail['sesMessageId']}.eml"), "wb") as out:
                    out.write(mail["mime"])
            print(json.dumps({k: v for k, v in mail.items() if k != "mime"} | {"bytes": len(mail["mime"])}))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


if __name__ == "__main__":
    sys.exit(main())
