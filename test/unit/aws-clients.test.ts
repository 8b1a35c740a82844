/** The function's clients follow the SDK's default chain (FIPS, endpoints) and send SQS calls to the resolved endpoint. */
import { createAwsClients } from '../../lambda/decrypt-function/aws-clients';

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
