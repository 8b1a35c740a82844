/** The commands' usage texts, apart from the commands so that `--help` loads none of them. */

export const DECRYPT_USAGE = `Usage:
  decrypt s3://BUCKET/KEY [options]
  decrypt --file OBJECT --metadata METADATA.json [options]

Decrypts one mail stored by SES with KMS encryption and writes the MIME. Also reads objects of the S3 Encryption
Clients with KMS: V2 (kms+context) and V3 (key-committing, the current clients' default), envelope in the metadata or
in an instruction file (from S3).

Options:
  -o, --output FILE             write the MIME to FILE, readable by you only (0600); nothing is written on failure
      --to-terminal             without -o, write the MIME to standard output even when that is a terminal (escape
                                sequences and all); without either, standard output must not be a terminal
  -f, --file OBJECT             the stored object's body, as downloaded
  -m, --metadata FILE           its metadata: the bare map, or the output of 'aws s3api head-object'
      --kms-key-arn ARN         the only KMS key the data key may be unwrapped with  [EXPECTED_KMS_KEY_ARN]
      --source-account ID       aws:ses:source-account must equal this               [EXPECTED_SOURCE_ACCOUNT]
      --rule-name NAME          aws:ses:rule-name must be one of these (repeatable)   [ALLOWED_RULE_NAMES]
      --allow-legacy-cbc        read unauthenticated AES/CBC objects
      --require-key-commitment  read only key-committing (V3) objects; refuses SES mail and V1/V2 objects
      --encryption-context K=V  the encryption context you expect (repeatable; V2 and V3 objects)
      --version-id ID           read this version of the object (versioned buckets; a failure record names it)
      --instruction-version-id ID
                                read this version of its instruction file

AWS access uses the SDK's default chain: AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_KMS, AWS_ENDPOINT_URL_S3,
AWS_USE_FIPS_ENDPOINT. Exit status: 0 decrypted, 1 refused (reason code printed), 2 usage, 3 transient failure, 4 AWS
set-up (no credentials or region, or access denied).`;

export const REPLAY_USAGE = `Usage:
  replay s3://BUCKET/PREFIX [options]

Re-processes stored mail through the same code as the function (decrypt, verify, deliver), in key order.

Options:
      --since ISO-DATE     only objects last modified at or after this time
      --dry-run            decrypt and verify each object, send nothing (no queue message, no payload, no failure record)
      --concurrency N      objects in flight at once (default 4, at most 32)
      --start-after KEY    resume after this key (printed when a run stops early or fails transiently)
      --checkpoint FILE    keep the resume key in FILE; read it on start when present

Uses the function's variables (OUTPUT_QUEUE_URL, FAILURE_QUEUE_URL, PAYLOAD_BUCKET, EXPECTED_KMS_KEY_ARN, ...) and the
SDK's default chain. Exit status: 0 done, 1 some objects refused (reason codes in the summary), 2 usage, 3 some
objects failed transiently or the run was interrupted (run again to resume), 4 AWS set-up (KMS refused to unwrap before
any object did: your role's kms:Decrypt; or no credentials, region or access).`;

export const REDRIVE_USAGE = `Usage:
  redrive [options]

Moves the failure queue's records back through the function's logic. A message whose objects are now forwarded (or
skipped) is deleted; one still rejected stays on the queue, and the summary gives the reasons. It also reads the work
queue's dead-letter queue (S3 event notifications), without the function's delivery records.

Options:
      --queue-url URL   the failure queue (default: FAILURE_QUEUE_URL), or the work dead-letter queue
      --max N           handle at most N messages (default: all)
      --dry-run         decrypt and verify, send and delete nothing

Uses the function's variables (MAIL_BUCKET among them: a record naming another bucket is refused unread) and the
SDK's default chain. Exit status: 0 queue drained, 1 some stayed rejected or unrecognised, 2 usage, 3 some failed
transiently or the run was interrupted, 4 AWS set-up (no credentials or region, or access denied).`;

export const QUARANTINE_USAGE = `Usage:
  quarantine list [options]
  quarantine release ID [options]
  quarantine purge ID [options]

Mail a verdict quarantined (stored encrypted under quarantine/<REASONS>/<SES message id>, never forwarded).
  list      ids, reasons, age and size; reads keys only (no address, no subject, nothing decrypted)
  release   decrypts and delivers to the output queue as the function would, with SES's verdicts and a release
            record (the VerdictRefusal attribute); the quarantined copy stays until purged or expired
  purge     deletes the quarantined copy (in the versioned mail bucket: a delete marker now, the stored
            version a day later, by the quarantine lifecycle)
ID is a listed id, or the copy's key when one mail was quarantined twice (under other reasons): an id two copies
share names neither, and the refusal lists their keys.

Options:
      --bucket NAME          the mail bucket (default: from --stack); with MAIL_BUCKET set, only that one
      --prefix PREFIX        the quarantine prefix (default: QUARANTINE_PREFIX, or quarantine/)
      --accept-virus-risk    release mail SES found a virus in (VIRUS among its reasons) to your consumers

Release uses the function's variables (MAIL_BUCKET, OUTPUT_QUEUE_URL, PAYLOAD_BUCKET, EXPECTED_KMS_KEY_ARN, ...) and needs an
operator role (operatorRoleArns): only those may read the quarantine prefix and decrypt. Exit status: 0 done,
1 refused, 2 usage, 3 transient failure, 4 AWS set-up (no credentials or region, or access denied).`;
