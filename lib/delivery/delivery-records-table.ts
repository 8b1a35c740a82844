/**
 * The delivery records' table: one item per stored mail the function processed, so a redelivered event is not sent
 * again by another container (lambda/decrypt-function/delivery-record.ts). Items hold a SHA-256 of the object's
 * identity, a status, two expiry times and the outcome's kind: no mail, key or address.
 */
import { type Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/contract/env-names';
import type { DecryptFunction } from '../functions/decrypt-function';
import { MAX_EVENT_AGE } from '../functions/decrypt-function';
import { customerManagedKey } from '../governance/secure-defaults';
import { WORK_QUEUE_RETENTION } from '../trigger/work-queue-settings';
import { deliveryRecordLifetime } from './delivery-record-lifetime';

/** Properties of `DeliveryRecordsTable`. */
export interface DeliveryRecordsTableProps {
  /** How long a record lives (delivery-record-lifetime.ts). */
  readonly lifetime: Duration;
  readonly removalPolicy: RemovalPolicy;
  readonly requireMfa: boolean;
}

/** Powertools Idempotency's attribute names (its DynamoDBPersistenceLayer defaults). */
export const DELIVERY_RECORD_ATTRIBUTES = { key: 'id', expiry: 'expiration' } as const;

/** The table, its own key, and the lifetime its items are given. */
export class DeliveryRecordsTable extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;
  readonly lifetime: Duration;

  constructor(scope: Construct, id: string, props: DeliveryRecordsTableProps) {
    super(scope, id);
    this.lifetime = props.lifetime;
    // Its own key: the delivery key is usable through SQS and S3 only, and DynamoDB needs grants it gives itself.
    this.key = customerManagedKey(this, 'RecordsKey', {
      description: 'Encrypts the delivery records table (hashes and statuses; no mail).',
      removalPolicy: props.removalPolicy,
      requireMfa: props.requireMfa,
    });
    const stack = Stack.of(this);
    // DynamoDB uses a customer managed key on behalf of the callers of this account that may use the table (the
    // function; CloudFormation when it creates the table), through grants it creates for itself, and reads the key's
    // metadata as the service (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html,
    // "Key policy for a customer managed key"). Who may use the table is decided by IAM on the table.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UseThroughDynamoDbByThisAccount',
        principals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com`,
            'kms:CallerAccount': stack.account,
          },
        },
      }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DynamoDbReadsKeyMetadata',
        principals: [new iam.ServicePrincipal('dynamodb.amazonaws.com')],
        actions: ['kms:Describe*', 'kms:Get*', 'kms:List*'],
        resources: ['*'],
      }),
    );
    this.table = new dynamodb.Table(this, 'Records', {
      partitionKey: { name: DELIVERY_RECORD_ATTRIBUTES.key, type: dynamodb.AttributeType.STRING },
      // A few writes per mail, nothing between mails: on-demand, nothing to size.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      // DynamoDB deletes expired items itself, free of charge, usually within days of their expiry
      // (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html); Powertools treats an item past its
      // expiry as absent before that.
      timeToLiveAttribute: DELIVERY_RECORD_ATTRIBUTES.expiry,
      // cdk-nag's AwsSolutions-DDB3; the table is kilobytes, so recovery costs next to nothing.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy,
    });
  }

  /** Tells the function where to keep its records and for how long, and lets it (`grantRecordKeeping`). */
  keepRecordsFor(fn: lambda.Function): void {
    fn.addEnvironment(ENV.DELIVERY_RECORDS_TABLE, this.table.tableName);
    fn.addEnvironment(ENV.DELIVERY_RECORD_LIFETIME_SECONDS, String(this.lifetime.toSeconds()));
    this.grantRecordKeeping(fn);
  }

  /**
   * Lets the function keep records: get, put, update and delete items of this table (what Powertools' DynamoDB
   * persistence layer calls), and use the table's key through DynamoDB only. Nothing else: no scan, no query, no
   * table administration.
   */
  grantRecordKeeping(grantee: iam.IGrantable): iam.Grant {
    const items = iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resourceArns: [this.table.tableArn],
    });
    const key = iam.Grant.addToPrincipal({
      grantee,
      // What DynamoDB needs of a caller of a table with a customer managed key (same page as above), spelt out: no
      // wildcard action in the function's policy (cdk-nag AwsSolutions-IAM5).
      actions: [
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:DescribeKey',
      ],
      resourceArns: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
    });
    return items.combine(key);
  }
}

/** What `addDeliveryRecords` needs: the switch, the function (and its trigger), and the stack's policies. */
export interface AddDeliveryRecordsProps {
  readonly enabled: boolean;
  readonly decrypt: DecryptFunction;
  readonly removalPolicy: RemovalPolicy;
  readonly requireMfa: boolean;
}

/**
 * The table, when on, with a lifetime that outlives every redelivery path the stack has (asynchronous retries, and
 * the work queue with its dead-letter queue when the function has one), and the function allowed to keep records.
 */
export function addDeliveryRecords(scope: Construct, props: AddDeliveryRecordsProps): dynamodb.Table | undefined {
  if (!props.enabled) {
    return undefined;
  }
  const records = new DeliveryRecordsTable(scope, 'DeliveryRecords', {
    lifetime: deliveryRecordLifetime({
      asyncMaxEventAge: MAX_EVENT_AGE,
      ...(props.decrypt.workQueue === undefined ? {} : { workQueue: WORK_QUEUE_RETENTION }),
    }),
    removalPolicy: props.removalPolicy,
    requireMfa: props.requireMfa,
  });
  records.keepRecordsFor(props.decrypt.function);
  return records.table;
}
