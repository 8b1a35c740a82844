/**
 * The module-load floor (scripts/bench/startup.ts): the baseline handler (baseline-handler.ts) as a Lambda function
 * module, holding the same three SDK v3 clients the function makes (S3, KMS, SQS), made at the first invocation as
 * lambda/decrypt-function/aws-clients.ts makes them. Bundled as the function is, it is what any decrypt-and-forward
 * function on the SDK loads before it does anything of its own.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event, SQSEvent } from 'aws-lambda';
import { createBaselineHandler } from './baseline-handler';

let handle: ((event: S3Event | SQSEvent) => Promise<number>) | undefined;

export async function handler(event: S3Event | SQSEvent): Promise<number> {
  handle ??= createBaselineHandler(
    { s3: new S3Client({}), kms: new KMSClient({}), sqs: new SQSClient({ useQueueUrlAsEndpoint: false }) },
    process.env.OUTPUT_QUEUE_URL ?? '',
  );
  return handle(event);
}
