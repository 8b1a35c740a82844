/**
 * The recipients a receipt rule may name, checked as SES would take them: an address (user@example.com), a domain
 * (example.com, its addresses only) or every subdomain of a domain (.example.com)
 * (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-receipt-rules-console-walkthrough.html).
 */
import { ConfigurationError } from '../configuration-error';

/** A recipient SES would not take; the message says which rule it breaks, never the value. */
export class RecipientError extends ConfigurationError {
  override readonly name = 'RecipientError';
}

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
// RFC 5321 dot-atom: printable ASCII without specials, no leading, trailing or double dots.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/** The rule a recipient must follow, for messages. */
export const RECIPIENT_RULE =
  'each recipient must be an address (user@example.com), a domain (example.com) or every subdomain of one (.example.com)';

/**
 * Checks every recipient.
 * @throws RecipientError naming the position of the first malformed one and the rule (not its value)
 */
export function checkRecipients(recipients: readonly string[]): void {
  if (recipients.length === 0) {
    throw new RecipientError('recipients must name at least one address or domain');
  }
  recipients.forEach((recipient, index) => {
    if (!isRecipient(recipient)) {
      throw new RecipientError(`recipient ${index + 1} of ${recipients.length} is malformed: ${RECIPIENT_RULE}`);
    }
  });
}

/** True when SES would take `value` as a recipient condition. */
export function isRecipient(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at >= 0) {
    const local = value.slice(0, at);
    return local.length <= 64 && LOCAL_PART.test(local) && isDomain(value.slice(at + 1));
  }
  return isDomain(value.startsWith('.') ? value.slice(1) : value);
}

/** True for a fully qualified domain name of two labels or more. */
export function isDomain(value: string): boolean {
  const labels = value.split('.');
  return value.length <= 253 && labels.length >= 2 && labels.every((label) => LABEL.test(label));
}
