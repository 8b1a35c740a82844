/**
 * `ses-encrypted-inbound`: the CDK construct. SES receives mail encrypted client-side with your KMS key, a function
 * decrypts and verifies it, and delivers the MIME to an SQS queue (docs/CONTRACT.md says what consumers receive).
 *
 * @example
 * const mail = new EncryptedInboundMail(stack, 'InboundMail', { recipients: ['inbox@mail.example.org'] });
 * mail.grantConsume(consumerRole);
 */
export type { DeliveryProps } from '../lib/delivery/delivery-props';
export { EncryptedInboundMail } from '../lib/encrypted-inbound-mail';
export type { EncryptedInboundMailProps } from '../lib/encrypted-inbound-mail-props';
export type { FunctionsProps } from '../lib/functions/functions-props';
export type { GovernanceProps } from '../lib/governance/governance-props';
export type { MailStoreProps } from '../lib/mail-store/mail-store-props';
export { OUTPUT_NAMES } from '../lib/output-names';
export type { ReceivingProps } from '../lib/receiving/receiving-props';
