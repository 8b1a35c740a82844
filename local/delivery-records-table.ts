/**
 * The delivery-records table as the stack creates it (lib/delivery/delivery-records-table.ts: partition key `id`,
 * on-demand, TTL on `expiration`, Powertools Idempotency's defaults), on a local DynamoDB (moto's server): for the
 * load test and the moto tests.
 */
import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';

/** Creates the table `tableName` with `dynamodb`. */
export async function createDeliveryRecordsTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    }),
  );
}
