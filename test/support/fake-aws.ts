/**
 * A fake AWS behind real SDK clients: a middleware inside the clients' retry loop answers S3 GetObject, KMS
 * Decrypt/GenerateDataKey (through the KMS emulator) and SQS SendMessage, and injects the faults a plan asks for, so
 * the SDK's own retry strategy runs as deployed (aws-sdk-client-mock replaces `send` and would skip it).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sdkStreamMixin } from '@smithy/util-stream';
import type { KmsEmulator } from '../../local/kms-emulator';

/** Which calls fail: each answers true when this call must fail (checked once per attempt). */
export interface FaultPlan {
  /** S3 or SQS refuses (503). */
  readonly refuse?: (service: 's3' | 'sqs') => boolean;
  /** KMS throttles (ThrottlingException). */
  readonly throttleKms?: () => boolean;
  /** This GetObject's body breaks off half-way (a cut read). */
  readonly cutRead?: (key: string) => boolean;
}

/** What the fake services hold and saw. */
export interface FakeAws {
  readonly stored: Map<string, { body: Buffer; metadata: Record<string, string> }>;
  readonly sent: Array<{ QueueUrl?: string; MessageBody?: string; MessageAttributes?: any }>;
  readonly calls: { attempts: number; faults: number };
  attach(clients: { s3?: S3Client; kms?: KMSClient; sqs?: SQSClient }, plan?: FaultPlan): void;
}

function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(name), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export function fakeAws(emulator: KmsEmulator): FakeAws {
  const stored = new Map<string, { body: Buffer; metadata: Record<string, string> }>();
  const sent: FakeAws['sent'] = [];
  const calls = { attempts: 0, faults: 0 };

  async function answer(command: string, input: any, plan: FaultPlan): Promise<object> {
    calls.attempts += 1;
    const fail = (error: Error) => {
      calls.faults += 1;
      throw error;
    };
    switch (command) {
      case 'GetObjectCommand': {
        if (plan.refuse?.('s3')) fail(serviceError('ServiceUnavailable', 503));
        const object = stored.get(input.Key);
        if (object === undefined) throw serviceError('NoSuchKey', 404);
        const half = Math.floor(object.body.length / 2);
        const body = plan.cutRead?.(input.Key)
          ? Readable.from(
              (async function* () {
                yield object.body.subarray(0, half);
                calls.faults += 1;
                throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
              })(),
            )
          : Readable.from([object.body]);
        return { Body: sdkStreamMixin(body), ContentLength: object.body.length, Metadata: object.metadata };
      }
      case 'DecryptCommand':
        if (plan.throttleKms?.()) fail(serviceError('ThrottlingException', 400));
        return emulator.decrypt(input);
      case 'GenerateDataKeyCommand':
        if (plan.throttleKms?.()) fail(serviceError('ThrottlingException', 400));
        return emulator.generateDataKey(input);
      case 'SendMessageCommand':
        if (plan.refuse?.('sqs')) fail(serviceError('ServiceUnavailable', 503));
        sent.push(input);
        // The SQS client checks the body's MD5 in the answer (an MD5 SQS computes, not a choice of ours).
        return {
          MessageId: `m-${sent.length}`,
          MD5OfMessageBody: createHash('md5').update(input.MessageBody).digest('hex'),
        };
      default:
        throw new Error(`the fake AWS does not answer ${command}`);
    }
  }

  return {
    stored,
    sent,
    calls,
    attach(clients, plan = {}) {
      for (const client of Object.values(clients)) {
        (client?.middlewareStack as { add: (...args: unknown[]) => void } | undefined)?.add(
          (_next: unknown, context: { commandName?: string }) => async (args: { input: unknown }) => ({
            output: { ...(await answer(context.commandName as string, args.input, plan)), $metadata: {} },
            response: {},
          }),
          // Inside the retry middleware (finalizeRequest), outside the deserializer: nothing goes on the wire.
          { step: 'deserialize', priority: 'high', name: 'fakeAws' },
        );
      }
    },
  };
}
