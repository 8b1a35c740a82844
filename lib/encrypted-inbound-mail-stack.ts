/**
 * The deployable stack: builds `EncryptedInboundMail` from CDK context (`-c name=value`).
 */
import { Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import { EncryptedInboundMail } from './encrypted-inbound-mail';

/** The context keys the stack reads; `recipients` is the only one required. */
export const CONTEXT_KEYS = [
  'recipients',
  'ruleSetName',
  'ruleName',
  'objectKeyPrefix',
  'inlineMaxBytes',
  'rawMailRetentionDays',
  'queueRetentionDays',
  'fifo',
  'fips',
  'activateRuleSet',
  'hostedZoneId',
  'hostedZoneName',
  'requireMfa',
  'operatorRoleArns',
  'auditTrail',
  'auditRetentionDays',
  'macie',
] as const;

/** The stack `cdk deploy` creates: one `EncryptedInboundMail` configured from context. */
export class EncryptedInboundMailStack extends Stack {
  readonly pipeline: EncryptedInboundMail;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = new ContextReader(this);
    const recipients = context.list('recipients');
    if (recipients === undefined || recipients.length === 0) {
      throw new Error('context recipients is required: npx cdk deploy -c recipients=inbox@example.com[,example.org]');
    }
    const hostedZoneId = context.string('hostedZoneId');
    const hostedZoneName = context.string('hostedZoneName');
    if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
      throw new Error('give both hostedZoneId and hostedZoneName, or neither');
    }
    this.pipeline = new EncryptedInboundMail(this, 'InboundMail', {
      recipients,
      ruleSetName: context.string('ruleSetName'),
      ruleName: context.string('ruleName'),
      objectKeyPrefix: context.string('objectKeyPrefix'),
      inlineMaxBytes: context.number('inlineMaxBytes'),
      rawMailRetentionDays: context.number('rawMailRetentionDays'),
      queueRetentionDays: context.number('queueRetentionDays'),
      fifo: context.boolean('fifo'),
      useFipsEndpoints: context.boolean('fips'),
      activateRuleSet: context.boolean('activateRuleSet'),
      requireMfaForKeyAdministration: context.boolean('requireMfa'),
      operatorRoleArns: context.list('operatorRoleArns'),
      auditTrail: context.boolean('auditTrail'),
      auditRetentionDays: context.number('auditRetentionDays'),
      payloadDiscovery: context.boolean('macie'),
      hostedZone:
        hostedZoneId !== undefined && hostedZoneName !== undefined
          ? route53.PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
              hostedZoneId,
              zoneName: hostedZoneName,
            })
          : undefined,
    });
    suppressAcceptedFindings(this);
  }
}

/** Reads typed values from CDK context; `-c` values arrive as strings. */
class ContextReader {
  constructor(private readonly scope: Construct) {}

  string(name: string): string | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new Error(`context ${name} must be a string`);
    return value;
  }

  list(name: string): string[] | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (Array.isArray(value)) return value.map(String);
    return this.string(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  number(name: string): number | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`context ${name} must be a number`);
    return parsed;
  }

  boolean(name: string): boolean | undefined {
    const value: unknown = this.scope.node.tryGetContext(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new Error(`context ${name} must be true or false`);
  }
}

/** cdk-nag findings this stack accepts on purpose, each with its reason. */
function suppressAcceptedFindings(stack: Stack): void {
  void Validations.of(stack);
}
