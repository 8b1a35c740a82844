/**
 * The alarms that say something needs a person (README, "Alarms"): mail rejected, the function failing, a consumer
 * failing on a delivered mail, the verdict gate stopping an unusual share of mail or failing open, quarantine growing,
 * and, with the work queue, a backlog on it or a record on its dead-letter queue. With a topic, each alarm notifies
 * it; without one they only change state in CloudWatch (console, `aws cloudwatch describe-alarms`).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { VerdictGate } from '../functions/verdict-gate-function';
import { acceptControl } from '../governance/accepted-findings';
import type { WorkQueue } from '../trigger/work-queue';

/** Properties of `PipelineAlarms`. */
export interface PipelineAlarmsProps {
  readonly failureQueue: sqs.IQueue;
  readonly outputDeadLetterQueue: sqs.IQueue;
  readonly function: lambda.IFunction;
  /** The work queue, whose oldest message's age and dead-letter queue are alarmed on. @default - direct invocation */
  readonly workQueue?: WorkQueue;
  /** The verdict gate, whose refused-mail rate and errors are alarmed on. */
  readonly gate: VerdictGate;
  /** Quarantined mail per hour at which QuarantineGrowthAlarm fires. */
  readonly quarantineAlarmThreshold: number;
  /** Notified when an alarm fires (and when it clears). @default - no notification */
  readonly topic?: sns.ITopic;
}

/** Six alarms, eight with the work queue. */
export class PipelineAlarms extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    this.alarms = [
      this.alarmOnAny(
        'RejectedMailAlarm',
        'Stored mail was rejected (or, with directInvocation, exhausted its retries): see the failure queue.',
        props.failureQueue.metricApproximateNumberOfMessagesVisible({ period }),
        props.topic,
      ),
      this.alarmOnAny(
        'FunctionErrorsAlarm',
        'The decrypt function failed (it will be retried; persistent errors end on the work dead-letter queue, or with directInvocation on the failure queue).',
        props.function.metricErrors({ period }),
        props.topic,
      ),
      this.alarmOnAny(
        'ConsumerDeadLetterAlarm',
        'A consumer failed on a delivered mail five times: see the output dead-letter queue.',
        props.outputDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period }),
        props.topic,
      ),
      this.alarm(
        'RefusedMailRateAlarm',
        "The verdict gate stopped (STOP_RULE, reasons whose action is stop) a quarter or more of the last hour's mail (at least 10 mails): a virus or spam wave, or a policy too strict.",
        props.gate.refusedMailRate(),
        25,
        props.topic,
      ),
      this.alarmOnAny(
        'GateErrorsAlarm',
        'The verdict gate failed and let mail through unchecked (the decrypt function still quarantines or rejects virus FAIL).',
        props.gate.errors(),
        props.topic,
      ),
      this.alarm(
        'QuarantineGrowthAlarm',
        `${props.quarantineAlarmThreshold} or more mails were quarantined in the last hour: a virus or spam wave, or a policy too strict ('ses-inbound quarantine list').`,
        quarantinedMailPerHour(),
        props.quarantineAlarmThreshold,
        props.topic,
      ),
      ...(props.workQueue === undefined ? [] : this.workQueueAlarms(props.workQueue, props.topic)),
    ];
    if (props.topic === undefined) {
      acceptControl(
        this,
        'cloudwatch_alarm_action_check',
        'No topic was given (alarmTopic, or the alarmTopicArn context): the alarms change state in CloudWatch only, as the README says; give a topic to be notified.',
      );
    }
  }

  /**
   * The work queue's two alarms. Its oldest message 30 minutes old or more: mail normally leaves it in seconds, and a
   * message returned once waits one visibility timeout (12 minutes), so 30 minutes means a backlog (concurrency or KMS
   * too low). ApproximateAgeOfOldestMessage is the metric AWS names for this, but it leaves out a message received
   * three times or more, so it does not see a record failing again and again
   * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html).
   * Such a record shows on the second alarm, any message on the dead-letter queue: it failed ten receives.
   */
  private workQueueAlarms(workQueue: WorkQueue, topic: sns.ITopic | undefined): cloudwatch.Alarm[] {
    return [
      this.alarm(
        'WorkQueueAgeAlarm',
        'Stored mail has waited 30 minutes or more on the work queue: a backlog (raise workQueueMaxConcurrency and the KMS quota). A record failing again and again shows on WorkDeadLetterAlarm instead.',
        workQueue.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        30 * 60,
        topic,
      ),
      this.alarmOnAny(
        'WorkDeadLetterAlarm',
        'A stored mail failed ten receives and rests on the work dead-letter queue (output WorkDeadLetterQueueArn): fix the cause, then move it back to the work queue (aws sqs start-message-move-task).',
        workQueue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
        topic,
      ),
    ];
  }

  /** An alarm that fires as soon as the metric is at least 1 in a period; no data means nothing happened. */
  private alarmOnAny(
    id: string,
    alarmDescription: string,
    metric: cloudwatch.IMetric,
    topic: sns.ITopic | undefined,
  ): cloudwatch.Alarm {
    return this.alarm(id, alarmDescription, metric, 1, topic);
  }

  /** An alarm at `threshold` or above in one period; no data means nothing happened. */
  private alarm(
    id: string,
    alarmDescription: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    topic: sns.ITopic | undefined,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (topic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    }
    return alarm;
  }
}

/** `QuarantinedMail` (one per quarantined mail, lambda/decrypt-function/quarantine-metrics.ts), summed per hour. */
function quarantinedMailPerHour(): cloudwatch.IMetric {
  return new cloudwatch.Metric({
    namespace: 'SesEncryptedInbound',
    metricName: 'QuarantinedMail',
    // Powertools adds the service as a dimension to every metric it publishes.
    dimensionsMap: { service: 'ses-encrypted-inbound' },
    statistic: 'Sum',
    period: Duration.hours(1),
  });
}
