/**
 * The deployment's policy over an envelope, checked before KMS is asked for anything.
 */
import { CEK_ALG_CONTEXT_KEY, type Envelope } from './envelope';
import { EnvelopeError, KeyUnwrapError, PolicyError } from './errors';

/** The material-description keys SES writes. */
export const SES_MESSAGE_ID = 'aws:ses:message-id';
export const SES_RULE_NAME = 'aws:ses:rule-name';
export const SES_SOURCE_ACCOUNT = 'aws:ses:source-account';
/** The material-description key naming the KMS key (or alias) the rule encrypts with. */
export const KMS_CMK_ID = 'kms_cmk_id';

/** A KMS key ARN (not an alias ARN, a bare key id or an alias name): it names one key for good. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** True when `value` is a KMS key ARN, `arn:<partition>:kms:<region>:<account>:key/<id>`. */
export function isKmsKeyArn(value: string): boolean {
  return KMS_KEY_ARN.test(value);
}

/** What a deployment (or an operator at the CLI) accepts. */
export interface DecryptPolicy {
  /**
   * The only KMS key data keys may be unwrapped with, passed to KMS as `KeyId`. A key ARN: an alias would follow
   * `UpdateAlias` to whatever key it is pointed at next (config and the CLI refuse anything else).
   */
  readonly expectedKmsKeyArn: string;
  /** `aws:ses:source-account` must equal this. @default - not checked */
  readonly expectedSourceAccount?: string;
  /** `aws:ses:rule-name` must be one of these. @default - not checked */
  readonly allowedRuleNames?: readonly string[];
  /**
   * The encryption context the caller expects. For `kms+context` objects the material description, less
   * `aws:x-amz-cek-alg`, must equal it exactly; for `kms` objects each pair must be present.
   *
   * @default {}
   */
  readonly expectedEncryptionContext?: Readonly<Record<string, string>>;
  /** Read unauthenticated AES/CBC objects. @default false */
  readonly allowLegacyCbc?: boolean;
  /**
   * Read only key-committing (V3) objects, refusing every other, SES mail included (KEY_COMMITMENT_REQUIRED).
   *
   * @default false
   */
  readonly requireKeyCommitment?: boolean;
}

/**
 * Checks source account, rule name, the key the object names and the caller context against the policy, from the
 * envelope alone: nothing here asks KMS.
 * @throws PolicyError SOURCE_ACCOUNT_MISMATCH or RULE_NAME_NOT_ALLOWED
 * @throws KeyUnwrapError KMS_WRONG_KEY when `kms_cmk_id` is a key ARN other than the pinned one
 * @throws EnvelopeError CONTEXT_MISMATCH
 */
export function checkDecryptPolicy(envelope: Envelope, policy: DecryptPolicy): void {
  const context = envelope.materialDescription;
  const namedKey = context[KMS_CMK_ID];
  /*
   * Precondition: a kms_cmk_id that is a key ARN is the pinned key. SES writes whatever the rule was configured with:
   * a key ARN is compared here, before KMS is asked; an alias ARN cannot be resolved without KMS, so for it the
   * pin alone decides (KMS answers IncorrectKeyException when the data key is under another key).
   */
  if (namedKey !== undefined && isKmsKeyArn(namedKey) && namedKey !== policy.expectedKmsKeyArn) {
    throw new KeyUnwrapError('KMS_WRONG_KEY', `${KMS_CMK_ID} names another key than the one expected`);
  }
  if (policy.expectedSourceAccount !== undefined) {
    /* Precondition: aws:ses:source-account is the expected account. */
    if (context[SES_SOURCE_ACCOUNT] !== policy.expectedSourceAccount) {
      throw new PolicyError('SOURCE_ACCOUNT_MISMATCH', `${SES_SOURCE_ACCOUNT} is missing or not the expected account`);
    }
  }
  if (policy.allowedRuleNames !== undefined) {
    const ruleName = context[SES_RULE_NAME];
    /* Precondition: aws:ses:rule-name is one of the allowed rules. */
    if (ruleName === undefined || !policy.allowedRuleNames.includes(ruleName)) {
      throw new PolicyError('RULE_NAME_NOT_ALLOWED', `${SES_RULE_NAME} is missing or not an allowed rule`);
    }
  }
  const expected = policy.expectedEncryptionContext ?? {};
  if (envelope.wrapAlgorithm === 'kms+context') {
    /* Precondition: a kms+context material description, less aws:x-amz-cek-alg, equals the expected context. */
    const actual = Object.entries(context).filter(([name]) => name !== CEK_ALG_CONTEXT_KEY);
    const same =
      actual.length === Object.keys(expected).length &&
      actual.every(([name, value]) => Object.hasOwn(expected, name) && expected[name] === value);
    if (!same) {
      throw new EnvelopeError('CONTEXT_MISMATCH', 'encryption context is not the one the caller expects');
    }
  } else {
    /* Precondition: a kms material description holds every pair of the expected context. */
    for (const [name, value] of Object.entries(expected)) {
      if (context[name] !== value) {
        throw new EnvelopeError('CONTEXT_MISMATCH', 'encryption context lacks a pair the caller expects');
      }
    }
  }
}

/**
 * Returns the SES message id after checking it is the last part of the object key (after the rule's prefix).
 *
 * SES names each object `<prefix><message id>`; an object copied to another key (a replay under a new name) fails here.
 * @throws PolicyError MESSAGE_ID_MISMATCH
 */
export function checkMessageId(
  envelope: Envelope,
  objectKey: string,
  objectKeyPrefix?: string | readonly string[],
): string {
  const messageId = envelope.materialDescription[SES_MESSAGE_ID];
  /* Precondition: the material description names the SES message id, and the object key ends with it. */
  if (messageId === undefined || messageId.length === 0 || messageId.includes('/')) {
    throw new PolicyError('MESSAGE_ID_MISMATCH', `${SES_MESSAGE_ID} is missing or malformed`);
  }
  /*
   * Precondition: with the rule's prefix known, the key is exactly that prefix and the message id, so a mail copied
   * to `<prefix><anything>/<id>` is not delivered again under a key the copier chose; without it, the key ends with it.
   */
  if (objectKeyPrefix !== undefined) {
    const prefixes: readonly string[] = typeof objectKeyPrefix === 'string' ? [objectKeyPrefix] : objectKeyPrefix;
    if (!prefixes.some((prefix) => objectKey === `${prefix}${messageId}`)) {
      throw new PolicyError('MESSAGE_ID_MISMATCH', `object key is not the rule's prefix followed by ${SES_MESSAGE_ID}`);
    }
    return messageId;
  }
  const lastPart = objectKey.slice(objectKey.lastIndexOf('/') + 1);
  if (lastPart !== messageId) {
    throw new PolicyError('MESSAGE_ID_MISMATCH', `object key does not end with ${SES_MESSAGE_ID}`);
  }
  return messageId;
}
