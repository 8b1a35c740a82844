/**
 * What replay and redrive share with the function: its configuration (same variables, same parser), its clients
 * (same default chain), and `processRecord` itself.
 */
import { type AwsClients, createAwsClients } from '../lambda/decrypt-function/aws-clients';
import {
  type FunctionConfig,
  mailBucketOf,
  readDecryptSettings,
  readFunctionConfig,
} from '../lambda/decrypt-function/config';
import type { ProcessRecordDeps } from '../lambda/decrypt-function/process-record';
import { UsageError } from './usage-error';

/** What replay and redrive are run with: the process's environment and streams, and (in tests) clients. */
export interface OperatorIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly clients?: AwsClients;
  /** Resolves when the operator interrupts (Ctrl-C): no new work starts. */
  readonly interrupted?: Promise<void>;
}

/** How an operator command runs. */
export interface OperatorOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Decrypt and verify, send nothing. */
  readonly dryRun: boolean;
  readonly clients?: AwsClients;
}

/**
 * The function's dependencies for an operator command. A dry run needs only the decryption settings; a real run
 * needs the whole configuration, as the function does.
 */
export function operatorDeps(
  options: OperatorOptions,
  recordRejections: ProcessRecordDeps['recordRejections'],
): ProcessRecordDeps {
  let config: FunctionConfig;
  if (options.dryRun) {
    const decrypt = readDecryptSettings(options.env);
    if (decrypt.expectedKmsKeyArn === undefined) {
      throw new UsageError('EXPECTED_KMS_KEY_ARN is required (the key the function unwraps data keys with)');
    }
    config = {
      ...decrypt,
      // The mail bucket too: a dry run refuses other buckets unread, as the function does.
      ...mailBucketOf(options.env),
      expectedKmsKeyArn: decrypt.expectedKmsKeyArn,
      outputQueueUrl: '',
      failureQueueUrl: '',
      payloadBucket: '',
      payloadPrefix: '',
      inlineMaxBytes: 262_144,
      bodyEncoding: 'auto',
    };
  } else {
    config = readFunctionConfig(options.env);
  }
  const forwarded = new Set<string>();
  return {
    config,
    clients: options.clients ?? createAwsClients(),
    dryRun: options.dryRun,
    recordRejections,
    // An operator run sends each object once, even if listed twice.
    alreadyForwarded: (identity) => forwarded.has(identity),
    markForwarded: (identity) => {
      forwarded.add(identity);
    },
  };
}
