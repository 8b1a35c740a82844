/**
 * The stack outputs the operator CLI reads (`--stack NAME`) and people copy: named after the construct id and the
 * value (`InboundMailOutputQueueUrl`), with no hash suffix, so they read the same in every deployment.
 */
import { CfnOutput } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { OUTPUT_NAMES } from './output-names';
import { previousPrefixesSetting } from './receiving/rule-history';

/** Adds the pipeline's outputs to the construct. */
export function addPipelineOutputs(
  mail: Construct & {
    readonly outputQueue: sqs.IQueue;
    readonly failureQueue: sqs.IQueue;
    readonly payloadBucket: s3.IBucket;
    readonly mailBucket: s3.IBucket;
    readonly mxRecordValue: string;
    readonly mailKey: kms.IKey;
    readonly deliveryKey: kms.IKey;
  },
  names: {
    readonly ruleName: string;
    readonly objectKeyPrefix: string;
    readonly history: { readonly objectKeyPrefixes: readonly string[] };
    readonly verdictSettings: Record<string, string>;
  },
  decrypt: {
    /** Its work queue, whose dead-letter queue is an output; none with `directInvocation`. */
    readonly workQueue?: { readonly deadLetterQueue: sqs.IQueue };
    readonly deliverySettings: Readonly<Record<string, string>>;
  },
): void {
  const workDeadLetterQueue = decrypt.workQueue?.deadLetterQueue;
  const outputs: Array<[string, string, string]> = [
    [OUTPUT_NAMES.outputQueueUrl, mail.outputQueue.queueUrl, 'Consume decrypted mail here'],
    [OUTPUT_NAMES.failureQueueUrl, mail.failureQueue.queueUrl, 'Rejected objects'],
    [OUTPUT_NAMES.payloadBucketName, mail.payloadBucket.bucketName, 'Large mail'],
    [OUTPUT_NAMES.mailBucketName, mail.mailBucket.bucketName, 'Stored (encrypted) mail'],
    [OUTPUT_NAMES.mailObjectPrefix, names.objectKeyPrefix, 'Where SES stores mail in the mail bucket'],
    [OUTPUT_NAMES.ruleName, names.ruleName, 'The receipt rule (bound into every stored mail)'],
    [OUTPUT_NAMES.mxRecordValue, mail.mxRecordValue, 'Publish as the MX record'],
    [OUTPUT_NAMES.mailKeyArn, mail.mailKey.keyArn, 'SES encrypts stored mail with it'],
    [OUTPUT_NAMES.deliveryKeyArn, mail.deliveryKey.keyArn, 'Consumers decrypt with it'],
    [
      OUTPUT_NAMES.operatorSettings,
      operatorSettings({ ...names.verdictSettings, ...decrypt.deliverySettings }, names.history),
      'The settings replay and redrive run with (--stack)',
    ],
  ];
  if (workDeadLetterQueue !== undefined) {
    // Events whose receives ran out; `aws sqs start-message-move-task --source-arn` moves them back to the work queue.
    outputs.push(
      [OUTPUT_NAMES.workDeadLetterQueueUrl, workDeadLetterQueue.queueUrl, 'Events the function could not process'],
      [OUTPUT_NAMES.workDeadLetterQueueArn, workDeadLetterQueue.queueArn, 'Move them back to the work queue with it'],
    );
  }
  const prefix = mail.node.id.replace(/[^A-Za-z0-9]/g, '');
  for (const [name, value, description] of outputs) {
    const output = new CfnOutput(mail, name, { value, description });
    output.overrideLogicalId(`${prefix}${name}`);
  }
}

/**
 * The function's settings an operator command needs beyond the other outputs, as JSON (no token inside: prefixes,
 * verdict and delivery settings are known at synthesis): the previous prefixes, so a renamed prefix's mail still
 * redrives; the verdict policy and actions, so `replay` and `redrive` quarantine exactly what the function does; and
 * how it delivers (payload prefix, inline limit, size limit, body encoding), so they send as it sends, whatever the
 * operator's shell holds.
 */
function operatorSettings(
  settings: Record<string, string>,
  history: { readonly objectKeyPrefixes: readonly string[] },
): string {
  return JSON.stringify({ ...settings, ...previousPrefixesSetting(history) });
}
