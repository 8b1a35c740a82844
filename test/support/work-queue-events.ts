/** SQS batches as Lambda's event source mapping delivers them from the work queue: each body an S3 event. */
import type { S3Event, SQSEvent, SQSRecord } from 'aws-lambda';

/** One work-queue message whose body is `body` (an S3 event, S3's test event, or anything else as text). */
export function workQueueMessage(messageId: string, body: S3Event | object | string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1767225600000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1767225600000',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:111122223333:work',
    awsRegion: 'us-east-1',
  };
}

export function workQueueBatch(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** The message S3 sends when a notification configuration is saved. */
export const S3_TEST_EVENT = {
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-12-01T12:00:00.000Z',
  Bucket: 'mail-bucket',
  RequestId: 'EXAMPLE',
  HostId: 'EXAMPLE',
};
