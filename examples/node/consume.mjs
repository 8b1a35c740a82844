#!/usr/bin/env node
// Reads decrypted mail from the output queue with the package's consumer helper: inline, base64 or offloaded to the
// payload bucket, each checked against its ContentLength and ContentSha256, then deleted from the queue. A message
// the helper refuses, or whose SES message id is not a plain file name, is reported by its code on stderr and left on
// the queue (after five receives it moves to the dead-letter queue); the exit status is then 1.
// Usage: QUEUE_URL=https://sqs.… PAYLOAD_BUCKET=… node consume.mjs [OUT_DIR]
// (the stack outputs OutputQueueUrl and PayloadBucketName; credentials and region: the SDK's default chain)
import { mkdirSync, writeFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ForwardedMailError, readForwardedMail } from 'ses-encrypted-inbound/consumer';
import { mailFilePath } from './mail-file.mjs';

const queueUrl = process.env.QUEUE_URL;
const payloadBucket = process.env.PAYLOAD_BUCKET;
const outDir = process.argv[2];
if (!queueUrl || !payloadBucket) {
  console.error('set QUEUE_URL and PAYLOAD_BUCKET to the stack outputs OutputQueueUrl and PayloadBucketName');
  process.exit(2);
}
// Send to the resolved endpoint (FIPS, or AWS_ENDPOINT_URL_SQS) rather than the queue URL's host.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });

/** Reports a refused message by its stable code only: never its id, addresses or content. */
function refuse(code) {
  console.error(JSON.stringify({ refused: code }));
  process.exitCode = 1;
}

for (;;) {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) break;
  for (const message of Messages) {
    let mail;
    try {
      // A pointer is followed only into the payload bucket's payloads/ prefix, for at most 40 MiB.
      mail = await readForwardedMail(message, { s3, payloadBucket });
    } catch (error) {
      if (!(error instanceof ForwardedMailError)) throw error;
      refuse(error.code);
      continue;
    }
    if (outDir) {
      const file = mailFilePath(outDir, mail.sesMessageId);
      if (file === undefined) {
        refuse('UNSAFE_MESSAGE_ID');
        continue;
      }
      mkdirSync(outDir, { recursive: true });
      writeFileSync(file, mail.mime);
    }
    console.log(
      JSON.stringify({
        sesMessageId: mail.sesMessageId,
        bytes: mail.mime.length,
        delivery: mail.delivery,
        verdicts: mail.verdicts,
      }),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}
