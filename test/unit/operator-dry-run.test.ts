/**
 * A dry run (`redrive --dry-run`, `replay --dry-run`) decides as the function does about where mail may come from: with
 * MAIL_BUCKET set (as `--stack` sets it), a record naming another bucket is refused unread, as in a real run.
 */

import { operatorDeps } from '../../cli/operator-context';
import type { AwsClients } from '../../lambda/decrypt-function/aws-clients';
import { processRecord } from '../../lambda/decrypt-function/process-record';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000';
const reads: string[] = [];
const refuseAll = {
  send: async (command: { constructor: { name: string } }) => {
    reads.push(command.constructor.name);
    throw new Error('no AWS call is expected');
  },
};
const clients = { s3: refuseAll, kms: refuseAll, sqs: refuseAll } as unknown as AwsClients;

it.each([true, false])('refuses a record from another bucket unread (dry run: %s)', async (dryRun) => {
  reads.length = 0;
  const env = {
    EXPECTED_KMS_KEY_ARN: KEY_ARN,
    MAIL_BUCKET: 'inbound-mail',
    OUTPUT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/out',
    FAILURE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/failures',
    PAYLOAD_BUCKET: 'payloads',
  };
  const deps = operatorDeps({ env, dryRun, clients }, false);
  const outcome = await processRecord(
    { s3: { bucket: { name: 'someone-elses-bucket' }, object: { key: 'raw/abc' } } },
    deps,
  );
  expect(outcome).toMatchObject({ outcome: 'rejected', reason: 'BUCKET_NOT_ALLOWED' });
  expect(reads).toEqual([]);
});
