/**
 * `ses-encrypted-inbound/consumer`: reading the messages the pipeline delivers. `readForwardedMail` turns any of them
 * (inline, base64 or offloaded to the payload bucket) back into the exact MIME bytes, after checking their length and
 * SHA-256, following a pointer only into the payload bucket and prefix it is given; the rest is the message contract
 * (docs/CONTRACT.md). `parseForwardedMail` parses those bytes (postal-mime) into headers, addresses, text, HTML and
 * attachments, within bounds.
 */

export {
  type MailAddress,
  type MailAttachment,
  type MailHeader,
  type ParsedMail,
  ParsedMailError,
  type ParsedMailErrorCode,
  type ParseForwardedMailOptions,
  parseForwardedMail,
} from '../lambda/consumer/parse-forwarded-mail';
export {
  type ForwardedMail,
  ForwardedMailError,
  type ForwardedMailErrorCode,
  type QueueMessage,
  type ReadForwardedMailOptions,
  readForwardedMail,
  type SqsApiMessage,
  type VerdictRefusal,
} from '../lambda/consumer/read-forwarded-mail';
export {
  DEFAULT_MAX_MAIL_BYTES,
  DEFAULT_PAYLOAD_PREFIX,
  type FailureRecord,
  MESSAGE_ATTRIBUTES,
  POINTER_CLASS,
} from '../lambda/contract/message-contract';
export type { ReasonCode } from '../lambda/reader/errors';
