#!/usr/bin/env python3
"""Drives AWS's official S3 Encryption Client for Python (amazon-s3-encryption-client-python, requirements-dev.txt)
for the project's oracle checks: it writes V2 and V3 objects with a KMS keyring and reads objects back.

It talks only to the endpoints it is given (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_KMS: moto's server and the project's
KMS emulator on 127.0.0.1). Jobs come as a JSON list on standard input; one JSON result per job goes to standard output.

  {"op": "put", "bucket": B, "key": K, "plaintext": PATH, "format": "v2" | "v3", "context": {...}}
  {"op": "get", "bucket": B, "key": K, "output": PATH, "policy": "allow" | "require", "context": {...}}

A get that the client refuses answers {"ok": false, "error": "<exception class>"}; nothing is written to its output.
"""

import argparse
import json
import os
import sys

import boto3
from s3_encryption import S3EncryptionClient, S3EncryptionClientConfig
from s3_encryption.materials.kms_keyring import KmsKeyring
from s3_encryption.materials.materials import AlgorithmSuite, CommitmentPolicy

# The client's V2 write: the non-committing suite, which only the forbid-encrypt policy may write.
V2 = (AlgorithmSuite.ALG_AES_256_GCM_IV12_TAG16_NO_KDF, CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
# The client's defaults: the key-committing suite under require-encrypt/require-decrypt.
V3 = (AlgorithmSuite.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
READ_POLICIES = {
    "allow": CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    "require": CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
}


def client(key_arn, algorithm, policy):
    region = os.environ.get("AWS_REGION", "us-east-1")
    keyring = KmsKeyring(boto3.client("kms", region_name=region), key_arn)
    config = S3EncryptionClientConfig(keyring=keyring, encryption_algorithm=algorithm, commitment_policy=policy)
    return S3EncryptionClient(boto3.client("s3", region_name=region), config)


def put(job, key_arn):
    algorithm, policy = V2 if job["format"] == "v2" else V3
    with open(job["plaintext"], "rb") as source:
        body = source.read()
    extra = {"EncryptionContext": job["context"]} if job.get("context") else {}
    client(key_arn, algorithm, policy).put_object(Bucket=job["bucket"], Key=job["key"], Body=body, **extra)
    return {"ok": True}


def get(job, key_arn):
    reader = client(key_arn, V3[0], READ_POLICIES[job.get("policy", "allow")])
    extra = {"EncryptionContext": job["context"]} if job.get("context") else {}
    try:
        response = reader.get_object(Bucket=job["bucket"], Key=job["key"], **extra)
        plaintext = response["Body"].read()
    except Exception as error:  # every refusal, whatever the client names it
        return {"ok": False, "error": type(error).__name__}
    with open(job["output"], "wb") as sink:
        sink.write(plaintext)
    return {"ok": True}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kms-key-arn", required=True, help="the KMS key the keyring wraps data keys with")
    args = parser.parse_args()
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_KMS"):
        if not os.environ.get(name, "").startswith("http://127.0.0.1:"):
            parser.error(f"{name} must point at a local endpoint (http://127.0.0.1:PORT)")
    results = []
    for job in json.load(sys.stdin):
        results.append(put(job, args.kms_key_arn) if job["op"] == "put" else get(job, args.kms_key_arn))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
