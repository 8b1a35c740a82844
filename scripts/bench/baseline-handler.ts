/**
 * The small-mail CPU bench's reference (scripts/bench/small-mail.ts): the least a decrypt-and-forward handler can do
 * for one S3 event record. It reads the object, calls KMS Decrypt once with the wrapped key from its metadata (and its
 * material description as the encryption context, without which KMS refuses SES's keys), and sends the bytes to SQS (in base64:
 * SQS refuses a body that is not valid text);
 * no envelope checks, no decryption, no logs or metrics. It takes S3's own event or a
 * work-queue batch (each message's body an S3 event), as the function does.
 */
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event, S3EventRecord, SQSEvent } from 'aws-lambda';

export interface BaselineClients {
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly sqs: SQSClient;
}

/**
 * @param together - take a batch's records all at once (as the function takes small mails,
 *   lambda/decrypt-function/record-schedule.ts) instead of one after the other
 */
export function createBaselineHandler(clients: BaselineClients, queueUrl: string, together = false) {
  return async (event: S3Event | SQSEvent): Promise<number> => {
    let sent = 0;
    const records: S3EventRecord[] = event.Records.flatMap((r) =>
      'body' in r ? (JSON.parse(r.body) as S3Event).Records : [r],
    );
    const one = async (record: S3EventRecord): Promise<void> => {
      const object = await clients.s3.send(
        new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: record.s3.object.key }),
      );
      const pieces: Uint8Array[] = [];
      for await (const piece of object.Body as AsyncIterable<Uint8Array>) pieces.push(piece);
      const bytes = Buffer.concat(pieces);
      const wrapped = Buffer.from(object.Metadata?.['x-amz-key-v2'] ?? '', 'base64');
      const context = JSON.parse(object.Metadata?.['x-amz-matdesc'] ?? '{}');
      await clients.kms.send(new DecryptCommand({ CiphertextBlob: wrapped, EncryptionContext: context }));
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: bytes.toString('base64') }));
      sent += 1;
    };
    if (together) await Promise.all(records.map(one));
    else for (const record of records) await one(record);
    return sent;
  };
}
