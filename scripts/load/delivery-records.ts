/**
 * The delivery records for the load test: moto's server as DynamoDB (from the pinned requirements-dev.txt), one
 * fresh table per scenario, as the stack makes it (key `id`, TTL on `expiration`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '../../lambda/contract/env-names';
import { createDeliveryRecordsTable } from '../../local/delivery-records-table';
import { type MotoServer, startMotoServer } from '../../local/moto-server';
import { INSTALL_HINT, pythonCommand } from '../python';

/** How long a record lives: the stack's value with the work queue (19 days). */
const LIFETIME_SECONDS = 19 * 86_400;

export async function startDeliveryRecords(): Promise<{
  moto: MotoServer;
  table: (env: Readonly<Record<string, string>>) => Promise<Record<string, string>>;
}> {
  const moto = await startMotoServer(pythonCommand(), INSTALL_HINT);
  let tables = 0;
  return {
    moto,
    async table(env) {
      tables += 1;
      const name = `delivery-records-${tables}`;
      const client = new DynamoDBClient({
        region: env.AWS_REGION,
        endpoint: moto.url,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      await createDeliveryRecordsTable(client, name);
      client.destroy();
      return {
        [ENV.DELIVERY_RECORDS_TABLE]: name,
        [ENV.DELIVERY_RECORD_LIFETIME_SECONDS]: String(LIFETIME_SECONDS),
        AWS_ENDPOINT_URL_DYNAMODB: moto.url,
      };
    },
  };
}
