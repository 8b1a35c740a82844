/** Synthesizes the stack for template tests, without bundling the function (a dedicated test bundles for real). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptedInboundMailStack } from '../../lib/app/encrypted-inbound-mail-stack';

export const TEST_ENV = { account: '111122223333', region: 'eu-west-1' };

/** The feature flags `cdk.json` gives the app, so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/** Apps already synthesized in this test file, by context and environment: each is built once and shared. */
const synthesized = new Map<string, { stack: EncryptedInboundMailStack; template: Template }>();

/**
 * Builds the stack from `context` (`recipients` preset), lets `customize` add to it, then synthesizes it. Without
 * `customize` the result is shared by every test of the file that asks for the same context and environment (a
 * synthesized template is read, never changed).
 */
export function synthStack(
  context: Record<string, unknown> = {},
  customize?: (stack: EncryptedInboundMailStack) => void,
  env: { account: string; region: string } = TEST_ENV,
): { stack: EncryptedInboundMailStack; template: Template } {
  if (customize !== undefined) {
    return synthesize(context, customize, env);
  }
  const key = JSON.stringify([context, env]);
  let result = synthesized.get(key);
  if (result === undefined) {
    result = synthesize(context, () => undefined, env);
    synthesized.set(key, result);
  }
  return result;
}

function synthesize(
  context: Record<string, unknown>,
  customize: (stack: EncryptedInboundMailStack) => void,
  env: { account: string; region: string },
): { stack: EncryptedInboundMailStack; template: Template } {
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], recipients: 'inbox@example.com', ...context },
  });
  const stack = new EncryptedInboundMailStack(app, 'TestStack', { env });
  customize(stack);
  return { stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's L1 resource, as it ends up in the template (overrides included). */
export function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild as CfnElement;
  return Stack.of(child).resolve(child.logicalId) as string;
}

/** The statements of the mail or delivery key's policy in a synthesized stack. */
// biome-ignore lint/suspicious/noExplicitAny: template JSON
export function keyPolicyStatements(result: ReturnType<typeof synthStack>, key: 'mailKey' | 'deliveryKey'): any[] {
  return result.template.toJSON().Resources[logicalId(result.stack.pipeline[key])].Properties.KeyPolicy.Statement;
}
