/**
 * What S3 does when SES stores a mail: the object-created event notification, in the shape S3 sends it
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html), and, as the stack
 * configures the mail bucket (lib/trigger/work-queue.ts), its delivery to the work queue. fauxqs stores objects but
 * does not implement bucket notifications: its README lists them unsupported, its S3 router has no `?notification`
 * route (fauxqs 2.4.1 answers PutBucketNotificationConfiguration with 200 as a CreateBucket, keeps nothing, and sends
 * nothing on PutObject). So the local pipeline sends the notification to the work queue itself, as S3 would: one
 * message per object, its body the event's JSON, no message attributes.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import { encodeS3Key } from '../lambda/decrypt-function/process-record';
import { LOCAL_MAIL_BUCKET } from './local-stack';

/** A new object, as its notification names it. */
export interface CreatedObject {
  readonly key: string;
  readonly size: number;
  readonly bucket?: string;
  readonly sequencer?: string;
  readonly versionId?: string;
}

/** The event S3 sends for new objects: keys URL-encoded, `+` for space. */
export function objectCreatedEvent(objects: readonly CreatedObject[]): S3Event {
  return {
    Records: objects.map((object, index) => {
      const bucket = object.bucket ?? LOCAL_MAIL_BUCKET;
      return {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:AmazonSES' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'inbound-mail',
          bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeS3Key(object.key),
            size: object.size,
            eTag: 'local',
            ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
            sequencer: object.sequencer ?? `${Date.now().toString(16)}${index.toString(16).padStart(4, '0')}`,
          },
        },
      };
    }),
  };
}

/** Sends each object's notification to the work queue, as S3 does for the mail bucket; returns the message ids. */
export async function notifyWorkQueue(
  sqs: SQSClient,
  queueUrl: string,
  objects: readonly CreatedObject[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const object of objects) {
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(objectCreatedEvent([object])) }),
    );
    ids.push(sent.MessageId as string);
  }
  return ids;
}
