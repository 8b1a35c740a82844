/**
 * The cost of no encryption: a handler that only reads each stored object and sends its bytes on (inline as base64,
 * or through the payload bucket above 192 KiB), with the same clients and retries as the function. The load test
 * runs it through the same queue, pollers and proxy as the function, for the throughput reference.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createAwsClients } from '../../lambda/decrypt-function/aws-clients';

/** A copy-only container's handler, reading its queue and buckets from `env`. */
export function createCopyOnlyHandler(env: Readonly<Record<string, string>>) {
  let clients: ReturnType<typeof createAwsClients> | undefined;
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    clients ??= createAwsClients();
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      try {
        const s3Event = JSON.parse(record.body) as {
          Records: { s3: { bucket: { name: string }; object: { key: string } } }[];
        };
        for (const { s3 } of s3Event.Records) {
          const key = decodeURIComponent(s3.object.key.replace(/\+/g, ' '));
          const object = await clients.s3.send(new GetObjectCommand({ Bucket: s3.bucket.name, Key: key }));
          const bytes = Buffer.from(
            await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
          );
          let body = bytes.toString('base64');
          if (bytes.length > 192 * 1024) {
            const payloadKey = `payloads/${key.split('/').pop()}`;
            await clients.s3.send(new PutObjectCommand({ Bucket: env.PAYLOAD_BUCKET, Key: payloadKey, Body: bytes }));
            body = JSON.stringify({ bucket: env.PAYLOAD_BUCKET, key: payloadKey });
          }
          await clients.sqs.send(new SendMessageCommand({ QueueUrl: env.OUTPUT_QUEUE_URL, MessageBody: body }));
        }
      } catch {
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
