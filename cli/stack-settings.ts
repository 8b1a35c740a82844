/**
 * `--stack NAME`: the settings an operator command needs, read from a deployed stack's outputs (CloudFormation
 * DescribeStacks) instead of copied by hand.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ENV } from '../lambda/contract/env-names';
import { OUTPUT_NAMES } from '../lib/output-names';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';

/** Where the replay command looks when no s3:// location is given (set from the stack, not a function variable). */
export const STACK_MAIL_LOCATION = 'SES_INBOUND_MAIL_LOCATION';

/**
 * The function's variables (and the mail location) from the stack's outputs; an output is found by its name's ending
 * (`InboundMailOutputQueueUrl` for `OutputQueueUrl`), so any construct id works.
 * @throws UsageError when the stack does not exist or lacks an output
 */
export async function settingsFromStack(
  cloudFormation: CloudFormationClient,
  stackName: string,
): Promise<Record<string, string>> {
  const { DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  let stack: unknown;
  try {
    const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = answer.Stacks?.[0];
  } catch (error) {
    if (
      (error as { name?: unknown }).name === 'ValidationError' ||
      /does not exist/.test(String((error as Error).message))
    ) {
      throw new UsageError(`no stack ${escapeControls(stackName)} in this region: check --stack and AWS_REGION`, {
        cause: error,
      });
    }
    throw error;
  }
  const found = stack as
    | { StackId?: string; Outputs?: Array<{ OutputKey?: string; OutputValue?: string }> }
    | undefined;
  if (found === undefined) {
    throw new UsageError(`no stack ${escapeControls(stackName)} in this region: check --stack and AWS_REGION`);
  }
  const outputs = found.Outputs ?? [];
  const output = (name: string): string => {
    const matches = outputs.filter((o) => o.OutputKey?.endsWith(name) && o.OutputValue !== undefined);
    if (matches.length !== 1) {
      throw new UsageError(
        `stack ${escapeControls(stackName)} has ${matches.length === 0 ? 'no' : 'more than one'} output ending in ${name}: is it an EncryptedInboundMail stack?`,
      );
    }
    return matches[0]?.OutputValue as string;
  };
  const account = /^arn:aws[\w-]*:cloudformation:[^:]+:(\d{12}):/.exec(found.StackId ?? '')?.[1];
  const settings = {
    [ENV.OUTPUT_QUEUE_URL]: output(OUTPUT_NAMES.outputQueueUrl),
    [ENV.FAILURE_QUEUE_URL]: output(OUTPUT_NAMES.failureQueueUrl),
    [ENV.PAYLOAD_BUCKET]: output(OUTPUT_NAMES.payloadBucketName),
    [ENV.EXPECTED_KMS_KEY_ARN]: output(OUTPUT_NAMES.mailKeyArn),
    [ENV.ALLOWED_RULE_NAMES]: output(OUTPUT_NAMES.ruleName),
    ...(account === undefined ? {} : { [ENV.EXPECTED_SOURCE_ACCOUNT]: account }),
    // The function's own checks: only its bucket, only keys under its prefixes, its verdict policy and actions.
    [ENV.MAIL_BUCKET]: output(OUTPUT_NAMES.mailBucketName),
    [ENV.MAIL_PREFIX]: output(OUTPUT_NAMES.mailObjectPrefix),
    ...operatorSettingsOf(outputs, stackName),
  };
  return { ...settings, [STACK_MAIL_LOCATION]: `s3://${settings[ENV.MAIL_BUCKET]}/${settings[ENV.MAIL_PREFIX]}` };
}

/** The variables a function setting may set from the `OperatorSettings` output; nothing else is taken from it. */
const OPERATOR_SETTINGS: readonly string[] = [
  ENV.PREVIOUS_MAIL_PREFIXES,
  ENV.VERDICT_ACTIONS,
  ENV.QUARANTINE_PREFIX,
  ENV.REFUSE_VIRUS,
  ENV.REFUSE_SPAM,
  ENV.REFUSE_SPF_FAIL,
  ENV.REFUSE_DKIM_FAIL,
  ENV.REFUSE_DMARC_FAIL,
  // How the function delivers (0.3.0 on): replay and redrive send as it sends, whatever the operator's shell holds.
  ENV.PAYLOAD_PREFIX,
  ENV.INLINE_MAX_BYTES,
  ENV.MAX_MAIL_BYTES,
  ENV.BODY_ENCODING,
];

/**
 * The `OperatorSettings` output (0.3.0 on; a stack from before has none, and its function had no verdict actions): the
 * listed variables as the function has them.
 */
function operatorSettingsOf(
  outputs: ReadonlyArray<{ OutputKey?: string; OutputValue?: string }>,
  stackName: string,
): Record<string, string> {
  const found = outputs.filter((o) => o.OutputKey?.endsWith(OUTPUT_NAMES.operatorSettings));
  if (found.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(found.length === 1 ? (found[0]?.OutputValue ?? '') : '');
  } catch {
    throw new UsageError(
      `stack ${escapeControls(stackName)}'s output ${OUTPUT_NAMES.operatorSettings} is not one JSON object: is it an EncryptedInboundMail stack?`,
    );
  }
  const settings: Record<string, string> = {};
  for (const name of OPERATOR_SETTINGS) {
    const value = (parsed as Record<string, unknown> | null)?.[name];
    if (typeof value === 'string') settings[name] = value;
  }
  return settings;
}

/** Takes `--stack NAME` (or `--stack=NAME`) out of a command line; returns the name and the rest. */
export function takeStackFlag(args: readonly string[]): { stackName: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let stackName: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '--') {
      rest.push(...args.slice(index));
      break;
    }
    if (arg === '--stack' || arg.startsWith('--stack=')) {
      let value = arg.slice('--stack='.length);
      if (arg === '--stack') {
        index += 1;
        value = args[index] ?? '';
      }
      if (value === '' || value.startsWith('-')) {
        throw new UsageError('--stack needs a stack name');
      }
      stackName = value;
      continue;
    }
    rest.push(arg);
  }
  return { stackName, rest };
}
