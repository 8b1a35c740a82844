/**
 * Recognises the failures an operator causes with their own set-up (no credentials, refused credentials, no region),
 * so the CLI names the cause and the fix instead of calling them object refusals or transient failures.
 */
import { CredentialsError, errorNameOf, InboundMailError, isCredentialsFailure } from '../lambda/reader/errors';

/** What the operator should be told, or undefined when the failure is not a set-up problem. */
export function describeSetupProblem(error: unknown): string | undefined {
  // The core wraps SDK failures ({ cause }); the set-up problem is the SDK's.
  const underlying = error instanceof InboundMailError && error.cause !== undefined ? error.cause : error;
  if (error instanceof CredentialsError || isCredentialsFailure(underlying)) {
    const name = errorNameOf(underlying);
    return name === 'CredentialsProviderError'
      ? 'no AWS credentials found: set AWS_PROFILE (and run aws sso login if it uses SSO), or AWS_ACCESS_KEY_ID and ' +
          'AWS_SECRET_ACCESS_KEY'
      : `AWS refused the credentials (${name}): they are expired, unknown or for another partition; refresh them ` +
          '(aws sso login, or new keys), check AWS_PROFILE, and check the clock';
  }
  // S3's 403 (or another service's AccessDeniedException) reaching the command itself, not a refusal of one object
  // (those are reason codes): the operator's role lacks a permission.
  if (!(error instanceof InboundMailError) && ACCESS_DENIED.has(errorNameOf(error))) {
    return `AWS denied access (${errorNameOf(error)}): your role lacks a permission this command needs (README "The operator CLI" lists them), or the bucket or key is not the one you meant`;
  }
  // @smithy/config-resolver's words when neither the client, AWS_REGION nor the profile gives a region.
  if (underlying instanceof Error && underlying.message === 'Region is missing') {
    return 'no AWS region: set AWS_REGION (or a region in your AWS_PROFILE)';
  }
  return undefined;
}

/** The error names AWS's SDK gives a request refused for its permissions (S3: AccessDenied, or Forbidden on HEAD). */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'Forbidden']);
