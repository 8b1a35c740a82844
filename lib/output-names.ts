/**
 * The names of the stack outputs the construct writes, shared with the operator CLI (`--stack`), which must not load
 * aws-cdk-lib.
 */

/** The stack outputs' names, after the construct id (`InboundMail` + name in the deployed stack). */
export const OUTPUT_NAMES = {
  outputQueueUrl: 'OutputQueueUrl',
  failureQueueUrl: 'FailureQueueUrl',
  payloadBucketName: 'PayloadBucketName',
  mailBucketName: 'MailBucketName',
  mailObjectPrefix: 'MailObjectPrefix',
  ruleName: 'RuleName',
  mxRecordValue: 'MxRecordValue',
  mailKeyArn: 'MailKeyArn',
  deliveryKeyArn: 'DeliveryKeyArn',
  workDeadLetterQueueUrl: 'WorkDeadLetterQueueUrl',
  workDeadLetterQueueArn: 'WorkDeadLetterQueueArn',
  operatorSettings: 'OperatorSettings',
} as const;
