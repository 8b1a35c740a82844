/**
 * Source maps are off in the functions unless asked for (`sourceMaps`): Node's --enable-source-maps slows every cold
 * start's module load (issue 20 item 4), and it is the one setting that turns them on.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import { CDK_JSON_CONTEXT, logicalId, TEST_ENV } from '../support/synth';

/** The NODE_OPTIONS of the decrypt function and of the verdict gate. */
function nodeOptions(sourceMaps: boolean | undefined): { decrypt?: string; gate?: string } {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const own = new Stack(app, 'Own', { env: TEST_ENV });
  const mail = new EncryptedInboundMail(own, 'Mail', {
    recipients: ['inbox@example.com'],
    ...(sourceMaps === undefined ? {} : { sourceMaps }),
  });
  const resources = Template.fromStack(own).toJSON().Resources;
  const options = (fn: typeof mail.function) =>
    resources[logicalId(fn)].Properties.Environment.Variables.NODE_OPTIONS as string | undefined;
  return { decrypt: options(mail.function), gate: options(mail.verdictGateFunction) };
}

it('leaves source maps off by default, keeping --expose-gc for the decrypt function', () => {
  expect(nodeOptions(undefined)).toEqual({ decrypt: '--expose-gc', gate: undefined });
  expect(nodeOptions(false)).toEqual({ decrypt: '--expose-gc', gate: undefined });
});

it('turns them on in both functions with sourceMaps: true', () => {
  expect(nodeOptions(true)).toEqual({ decrypt: '--enable-source-maps --expose-gc', gate: '--enable-source-maps' });
});
