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

it('caps the KMS client delays at 2 s (per-second quotas), S3 and SQS at 20 s', async () => {
  process.env.AWS_REGION = 'us-east-1';
  const made = new Map<unknown, FullJitterBackoff>();
  const clients = createAwsClients({
    backoff: (maxDelayMillis) => {
      const backoff = new FullJitterBackoff(() => 0.999_999, maxDelayMillis);
      backoff.setDelayBase(1000);
      made.set(backoff, backoff);
      return backoff;
    },
  });
  const delaysOf = async (client: { config: { retryStrategy(): Promise<unknown> } }) => {
    // The strategy keeps the backoff it was given; read back through the client, it is the one each client uses.
    const strategy = (await client.config.retryStrategy()) as { retryBackoffStrategy: FullJitterBackoff };
    expect(made.has(strategy.retryBackoffStrategy)).toBe(true);
    return [0, 1, 2, 3, 4].map((attempt) => strategy.retryBackoffStrategy.computeNextBackoffDelay(attempt));
  };
  expect(await delaysOf(clients.kms)).toEqual([999, 1999, 1999, 1999, 1999]);
  for (const client of [clients.s3, clients.sqs]) {
    expect(await delaysOf(client)).toEqual([999, 1999, 3999, 7999, 15_999]);
  }
});

it('draws no delay at or past the cap it is given', () => {
  const capped = new FullJitterBackoff(() => 0.999_999, 2000);
  capped.setDelayBase(1000);
  expect([0, 1, 2, 5].map((attempt) => capped.computeNextBackoffDelay(attempt))).toEqual([999, 1999, 1999, 1999]);
});
