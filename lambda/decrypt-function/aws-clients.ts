/**
 * The function's AWS clients, made once per container with the SDK's default configuration chain, so `AWS_REGION`,
 * `AWS_ENDPOINT_URL_S3|KMS|SQS` and `AWS_USE_FIPS_ENDPOINT` apply unchanged.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type BackoffStrategy, FullJitterBackoff, RETRY_SETTINGS, retryStrategy } from './retry-strategy';

/** The three clients the function uses. */
export interface AwsClients {
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly sqs: SQSClient;
}

/** What tests may change: the backoff (so retries need no real sleeps). */
export interface AwsClientsOptions {
  /**
   * Makes each client's backoff, given the cap on its delays (retry-strategy.ts).
   * @default FullJitterBackoff over Math.random
   */
  readonly backoff?: (maxDelayMillis: number) => BackoffStrategy;
}

/**
 * Creates the clients from the default configuration chain (call once per container), each retrying as
 * retry-strategy.ts says, with its own retry budget.
 */
export function createAwsClients(options: AwsClientsOptions = {}): AwsClients {
  const backoff = options.backoff ?? ((maxDelayMillis) => new FullJitterBackoff(Math.random, maxDelayMillis));
  const retrying = (maxDelayMillis: number = RETRY_SETTINGS.maxDelayMillis) => ({
    retryStrategy: retryStrategy(backoff(maxDelayMillis)),
  });
  return {
    s3: new S3Client({ ...retrying() }),
    kms: new KMSClient({ ...retrying(RETRY_SETTINGS.kmsMaxDelayMillis) }),
    // By default the SQS client sends to the queue URL's host, which would bypass a FIPS or custom endpoint (the
    // queue URL always names the standard one). The queues live in the function's region, so the resolved endpoint
    // is right.
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false, ...retrying() }),
  };
}
