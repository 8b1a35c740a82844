/**
 * The function's environment variable names, spelled once.
 *
 * The stack (`lib/`) sets them; the handler, the verdict gate and the operator CLI read them through `config.ts`.
 */
export const ENV = {
  OUTPUT_QUEUE_URL: 'OUTPUT_QUEUE_URL',
  FAILURE_QUEUE_URL: 'FAILURE_QUEUE_URL',
  PAYLOAD_BUCKET: 'PAYLOAD_BUCKET',
  PAYLOAD_PREFIX: 'PAYLOAD_PREFIX',
  MAIL_PREFIX: 'MAIL_PREFIX',
  PREVIOUS_MAIL_PREFIXES: 'PREVIOUS_MAIL_PREFIXES',
  INLINE_MAX_BYTES: 'INLINE_MAX_BYTES',
  EXPECTED_KMS_KEY_ARN: 'EXPECTED_KMS_KEY_ARN',
  EXPECTED_SOURCE_ACCOUNT: 'EXPECTED_SOURCE_ACCOUNT',
  ALLOWED_RULE_NAMES: 'ALLOWED_RULE_NAMES',
  MAX_MAIL_BYTES: 'MAX_MAIL_BYTES',
  BODY_ENCODING: 'BODY_ENCODING',
  REFUSE_VIRUS: 'REFUSE_VIRUS',
  REFUSE_SPAM: 'REFUSE_SPAM',
  REFUSE_SPF_FAIL: 'REFUSE_SPF_FAIL',
  REFUSE_DKIM_FAIL: 'REFUSE_DKIM_FAIL',
  REFUSE_DMARC_FAIL: 'REFUSE_DMARC_FAIL',
} as const;

/** One of the function's environment variable names. */
export type EnvName = (typeof ENV)[keyof typeof ENV];
