/**
 * The deployable stack: builds `EncryptedInboundMail` from CDK context (`-c name=value`), after checking every context
 * key. The region, FIPS and every other setting are checked by the construct itself, as they are in any app.
 */
import { Arn, ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { EncryptedInboundMail } from '../encrypted-inbound-mail';
import { RECIPIENT_RULE } from '../receiving/recipients';
import { ContextError, StackContext } from './stack-context';

export { CONTEXT_KEYS } from './stack-context';

/** The stack `cdk deploy` creates: one `EncryptedInboundMail` configured from context. */
export class EncryptedInboundMailStack extends Stack {
  readonly pipeline: EncryptedInboundMail;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const context = new StackContext(this);
    context.checkKnownKeys();
    const recipients = context.list('recipients');
    if (recipients === undefined || recipients.length === 0) {
      throw new ContextError(
        `context recipients is required: npx cdk deploy -c recipients=inbox@example.com[,example.org] (${RECIPIENT_RULE})`,
      );
    }
    const hostedZoneId = context.string('hostedZoneId');
    const hostedZoneName = context.string('hostedZoneName');
    if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) {
      throw new ContextError('give both hostedZoneId and hostedZoneName, or neither');
    }
    this.pipeline = new EncryptedInboundMail(this, 'InboundMail', {
      recipients,
      // The app's stack name is fixed, so it deploys once per account and region: it keeps 0.1's rule-set name, and
      // upgrading it renames nothing (the construct's own default is unique per stack and construct).
      ruleSetName: context.string('ruleSetName') ?? 'encrypted-inbound',
      ruleName: context.string('ruleName'),
      objectKeyPrefix: context.string('objectKeyPrefix'),
      previousRuleNames: context.list('previousRuleNames'),
      previousRuleSetNames: context.list('previousRuleSetNames'),
      previousObjectKeyPrefixes: context.list('previousObjectKeyPrefixes'),
      inlineMaxBytes: context.number('inlineMaxBytes'),
      rawMailRetentionDays: context.number('rawMailRetentionDays'),
      queueRetentionDays: context.number('queueRetentionDays'),
      fifo: context.boolean('fifo'),
      deliveryRecords: context.boolean('deliveryRecords'),
      acceptQueueReplacement: context.boolean('acceptQueueReplacement'),
      useFipsEndpoints: context.boolean('fips'),
      activateRuleSet: context.boolean('activateRuleSet'),
      requireMfaForKeyAdministration: context.boolean('requireMfa'),
      operatorRoleArns: context.list('operatorRoleArns'),
      auditTrail: context.boolean('auditTrail'),
      auditRetentionDays: context.number('auditRetentionDays'),
      payloadDiscovery: context.boolean('macie'),
      verdictGateReservedConcurrency: context.number('verdictGateReservedConcurrency'),
      sourceMaps: context.boolean('sourceMaps'),

      directInvocation: context.boolean('directInvocation'),
      workQueueMaxConcurrency: context.number('workQueueMaxConcurrency'),
      hostedZone:
        hostedZoneId !== undefined && hostedZoneName !== undefined
          ? route53.PublicHostedZone.fromPublicHostedZoneAttributes(this, 'Zone', {
              hostedZoneId,
              zoneName: hostedZoneName,
            })
          : undefined,
      receivingDomain: context.string('receivingDomain'),
      replaceApexMx: context.boolean('replaceApexMx'),
      alarmTopic: this.alarmTopic(context.string('alarmTopicArn')),
      refuseVirus: context.boolean('refuseVirus'),
      refuseSpam: context.boolean('refuseSpam'),
      refuseSpfFail: context.boolean('refuseSpfFail'),
      refuseDkimFail: context.boolean('refuseDkimFail'),
      refuseDmarcFail: context.boolean('refuseDmarcFail'),
      virusAction: context.string('virusAction'),
      spamAction: context.string('spamAction'),
      spfFailAction: context.string('spfFailAction'),
      dkimFailAction: context.string('dkimFailAction'),
      dmarcFailAction: context.string('dmarcFailAction'),
      quarantineRetentionDays: context.number('quarantineRetentionDays'),
      quarantineAlarmThreshold: context.number('quarantineAlarmThreshold'),
    });
  }

  /** The topic named by `alarmTopicArn`, which must be an SNS topic ARN of this stack's region. */
  private alarmTopic(arn: string | undefined): sns.ITopic | undefined {
    if (arn === undefined) {
      return undefined;
    }
    const parts = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(arn)
      ? Arn.split(arn, ArnFormat.NO_RESOURCE_NAME)
      : undefined;
    if (parts === undefined) {
      throw new ContextError('context alarmTopicArn must be an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)');
    }
    if (parts.region !== this.region) {
      throw new ContextError(
        `context alarmTopicArn must name a topic in ${this.region}, the stack's region (alarms notify topics of their own region)`,
      );
    }
    return sns.Topic.fromTopicArn(this, 'AlarmTopic', arn);
  }
}
