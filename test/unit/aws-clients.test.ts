/** The function's clients follow the SDK's default chain (FIPS, endpoints) and send SQS calls to the resolved endpoint. */
import { createAwsClients } from '../../lambda/decrypt-function/aws-clients';
import { FullJitterBackoff } from '../../lambda/decrypt-function/retry-strategy';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

it('uses FIPS endpoints for S3, KMS and SQS when AWS_USE_FIPS_ENDPOINT is true, and sends SQS calls there', async () => {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_USE_FIPS_ENDPOINT = 'true';
  const clients = createAwsClients();
  for (const client of [clients.s3, clients.kms, clients.sqs]) {
    expect(await client.config.useFipsEndpoint()).toBe(true);
  }
  // A queue URL always names the standard endpoint; following it would leave FIPS.
  expect((clients.sqs.config as { useQueueUrlAsEndpoint?: boolean }).useQueueUrlAsEndpoint).toBe(false);
});

it('does not use FIPS endpoints unless asked', async () => {
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_USE_FIPS_ENDPOINT;
  const clients = createAwsClients();
  expect(await clients.kms.config.useFipsEndpoint()).toBe(false);
});

it('retries up to six attempts with full jitter, from the SDK standard strategy (retry-strategy.ts)', async () => {
  process.env.AWS_REGION = 'us-east-1';
  const clients = createAwsClients();
  for (const client of [clients.s3, clients.kms, clients.sqs]) {
    const strategy = (await client.config.retryStrategy()) as unknown as {
      mode: string;
      maxAttempts(): Promise<number>;
    };
    expect(strategy.mode).toBe('standard');
    expect(await strategy.maxAttempts()).toBe(6);
  }
  // Each client its own strategy (its own budget).
  expect(await clients.s3.config.retryStrategy()).not.toBe(await clients.kms.config.retryStrategy());
});

it('draws each delay below min(base × 2^attempt, 20 s), the base set by the strategy', () => {
  const top = new FullJitterBackoff(() => 0.999_999);
  top.setDelayBase(1000);
  expect([0, 1, 2, 4, 5, 9].map((attempt) => top.computeNextBackoffDelay(attempt))).toEqual([
    999, 1999, 3999, 15_999, 19_999, 19_999,
  ]);
  expect(new FullJitterBackoff(() => 0).computeNextBackoffDelay(3)).toBe(0);
});
