/**
 * The verdict gate: a small function the receipt rule invokes (RequestResponse) before its S3 action, stopping mail
 * whose SES verdicts the policy refuses when the refusal's action is `stop`, so it is never stored, decrypted or
 * delivered (lambda/verdict-gate/handler.ts); other refused mail is stored for the decrypt function to quarantine or
 * mark.
 */
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ENV } from '../../lambda/contract/env-names';
import type { VerdictPolicy } from '../../lambda/contract/verdict-policy';
import { ConfigurationError } from '../configuration-error';
import { accept, acceptControl, NO_VPC_REASON } from '../governance/accepted-findings';
import { type RuleHistory, receiptRuleArns } from '../receiving/rule-history';
import { bundledOrBuilt } from './function-code';

/** The metric namespace and service the gate publishes under (Powertools Metrics, EMF). */
const NAMESPACE = 'SesEncryptedInbound';
const SERVICE = 'ses-encrypted-inbound-gate';

/**
 * The gate's reserved concurrency by default: it answers in milliseconds, so 10 at once is hundreds of mails a second,
 * far above what SES delivers to one rule; reserving 10 needs an account concurrency quota of at least 110.
 */
export const DEFAULT_GATE_RESERVED_CONCURRENCY = 10;

/** Properties of `VerdictGate`. */
export interface VerdictGateProps {
  readonly policy: VerdictPolicy;
  readonly logRetention: logs.RetentionDays;
  /** `verdictGateReservedConcurrency`; DEFAULT_GATE_RESERVED_CONCURRENCY without it. */
  readonly reservedConcurrency?: number;
  /** `--enable-source-maps` in the gate's NODE_OPTIONS (FunctionsProps.sourceMaps). @default false */
  readonly sourceMaps?: boolean;
}

/** The gate function, its role and log group. */
export class VerdictGate extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: VerdictGateProps) {
    super(scope, id);
    const reserved = props.reservedConcurrency ?? DEFAULT_GATE_RESERVED_CONCURRENCY;
    if (!Number.isInteger(reserved) || reserved < 1) {
      throw new ConfigurationError('verdictGateReservedConcurrency must be a whole number, at least 1');
    }
    this.logGroup = new logs.LogGroup(this, 'GateLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'GateRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Decides on SES verdicts; writes its own logs and nothing else.',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = bundledOrBuilt(this, 'GateFunction', 'verdict-gate', {
      description: 'Stops inbound mail whose SES verdicts the policy refuses, before it is stored.',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      // It reads one small event and decides: no I/O but its log line.
      memorySize: 256,
      // SES waits at most 30 s for a RequestResponse action
      // (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda.html).
      timeout: Duration.seconds(5),
      // A throttled invocation is refused by Lambda before the handler runs, so the gate's fail-open catch never sees
      // it, and SES documents no outcome for a failed RequestResponse action. Reserved concurrency keeps this many
      // instances for the gate whatever the account's other functions use (it also caps the gate at that many).
      reservedConcurrentExecutions: reserved,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        [ENV.REFUSE_VIRUS]: String(props.policy.refuseVirus),
        [ENV.REFUSE_SPAM]: String(props.policy.refuseSpam),
        [ENV.REFUSE_SPF_FAIL]: String(props.policy.refuseSpfFail),
        [ENV.REFUSE_DKIM_FAIL]: String(props.policy.refuseDkimFail),
        [ENV.REFUSE_DMARC_FAIL]: String(props.policy.refuseDmarcFail),
        ...(props.sourceMaps === true ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        POWERTOOLS_SERVICE_NAME: SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
      },
    });

    const pinned =
      'Pinned to Node.js 22, the major version the test suite runs on (node@22 devDependency); move both together.';
    accept(this.function, 'AwsSolutions-L1', pinned);
    accept(this.function, 'Serverless-LambdaLatestVersion', pinned);
    accept(
      this.function,
      'Serverless-LambdaDLQ',
      'SES invokes the gate synchronously (RequestResponse) and reads its answer; there is no asynchronous event to keep.',
    );
    accept(
      this.function,
      'Serverless-LambdaTracing',
      'X-Ray needs xray:PutTraceSegments on Resource "*", which this design does not grant; logs and metrics carry the decisions.',
    );
    acceptControl(this.function, 'lambda_inside_vpc_check', NO_VPC_REASON);
    acceptControl(
      this.logGroup,
      'cloudwatch_log_group_retention_period_check',
      'The gate logs verdicts, message ids and decisions only; kept as long as the function logs (logRetention).',
    );
    acceptControl(
      this.logGroup,
      'cloudwatch_log_group_encrypted_check',
      'The gate never logs addresses, subjects or content (tested); CloudWatch Logs encrypts log data at rest already.',
    );
  }

  /**
   * The share of mail the gate stopped in the last hour, in percent; 0 while fewer than 10 mails arrived, so a single
   * refusal on a quiet day is not a rate.
   */
  refusedMailRate(): cloudwatch.IMetric {
    const decisions = (decision: string) =>
      new cloudwatch.Metric({
        namespace: NAMESPACE,
        metricName: 'GateDecisions',
        dimensionsMap: { service: SERVICE, Decision: decision },
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    return new cloudwatch.MathExpression({
      expression: 'IF(stopped + continued >= 10, 100 * stopped / (stopped + continued), 0)',
      usingMetrics: { stopped: decisions('STOP_RULE'), continued: decisions('CONTINUE') },
      label: 'Refused mail (%)',
      period: Duration.hours(1),
    });
  }

  /** Times the gate failed open (it answered CONTINUE because of an error). */
  errors(): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: NAMESPACE,
      metricName: 'GateErrors',
      dimensionsMap: { service: SERVICE },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
  }
}

/**
 * The rule's Lambda action for the gate: RequestResponse, with SES allowed to invoke the function only for this
 * account and this rule (`aws:SourceAccount`, `aws:SourceArn`), as SES's guide recommends
 * (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html).
 */
export class VerdictGateAction implements ses.IReceiptRuleAction {
  constructor(
    private readonly gate: lambda.IFunction,
    private readonly names: RuleHistory,
  ) {}

  bind(rule: ses.IReceiptRule): ses.ReceiptRuleActionConfig {
    const stack = Stack.of(rule);
    // One permission per name the rule has had (a Lambda permission names one SourceArn): the old rule invokes the
    // gate until the update has moved it. The first keeps its id, so a stack without history is unchanged.
    receiptRuleArns(rule, this.names).forEach((sourceArn, index) => {
      // In the function's scope, not the rule's: the rule must depend on it.
      const permission = new lambda.CfnPermission(
        this.gate as unknown as Construct,
        index === 0 ? 'AllowSesRuleToInvoke' : `AllowPreviousSesRuleToInvoke${index}`,
        {
          action: 'lambda:InvokeFunction',
          functionName: this.gate.functionArn,
          principal: 'ses.amazonaws.com',
          sourceAccount: stack.account,
          sourceArn,
        },
      );
      // SES checks that it may invoke the function when the rule is created.
      rule.node.addDependency(permission);
      if (Token.isUnresolved(stack.account)) {
        // Synthesized without an account, `SourceAccount` is `Ref AWS::AccountId`, which the control cannot read as a
        // string; the permission names this account and exactly this rule all the same.
        acceptControl(permission, 'lambda_function_public_access_prohibited_check', GATE_PERMISSION_REASON);
      }
    });
    return { lambdaAction: { functionArn: this.gate.functionArn, invocationType: 'RequestResponse' } };
  }
}

/** Why the gate's SES permission satisfies CT.LAMBDA.PR.2 in an app synthesized without an account. */
const GATE_PERMISSION_REASON =
  'SES may invoke the gate only for this account (SourceAccount is the AWS::AccountId of the deploying stack) and only for this receipt rule (SourceArn); without an account at synthesis both are references the control does not resolve.';
