/**
 * The construct's own guards (issue 19, item 1): used directly, in a bare app without the project's app around it,
 * it refuses what the project's app refuses, and keeps e-mail addresses out of its own names and tags.
 */
import { App, Stack, Tags } from 'aws-cdk-lib';
import { ConfigurationError } from '../../lib/configuration-error';
import { EncryptedInboundMail } from '../../lib/encrypted-inbound-mail';
import type { EncryptedInboundMailProps } from '../../lib/encrypted-inbound-mail-props';

/** A bare app (no cdk.json context, no aspects, no policy packs) with one stack holding the construct. */
function direct(region: string | undefined, props: Partial<EncryptedInboundMailProps> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'S', region === undefined ? {} : { env: { account: '111122223333', region } });
  const build = () => new EncryptedInboundMail(stack, 'Mail', { recipients: ['inbox@example.com'], ...props });
  return { app, stack, build };
}

function refusal(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the construct was built');
}

describe('the construct used directly refuses what it cannot deploy with, in one line naming the fix', () => {
  it.each(['eu-south-1', 'af-south-1', 'ap-east-1'])(
    'refuses %s (SES cannot store mail in a bucket there)',
    (region) => {
      const error = refusal(direct(region).build);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toMatch(
        new RegExp(`^SES cannot receive mail into a bucket in ${region}: deploy to one of `),
      );
      expect(error.message).not.toContain('\n');
    },
  );

  it('refuses an environment-agnostic stack, saying how to give it a region', () => {
    const error = refusal(direct(undefined).build);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/^the stack has no region: .*env/);
  });

  it('refuses useFipsEndpoints in eu-west-1 (no SQS FIPS endpoint there), and takes it in us-east-1', () => {
    const error = refusal(direct('eu-west-1', { useFipsEndpoints: true }).build);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(
      'useFipsEndpoints needs FIPS endpoints for S3, SQS and KMS, which exist only in us-east-1, us-east-2, us-west-1, us-west-2: deploy there or leave useFipsEndpoints off',
    );
    expect(direct('us-east-1', { useFipsEndpoints: true }).build).not.toThrow();
  });

  it.each([128, 255, 256.5, 10_241])('refuses memorySize %d (a 40 MB mail needs at least 256 MiB)', (memorySize) => {
    const error = refusal(direct('eu-west-1', { memorySize }).build);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/^memorySize must be a whole number of MiB from 256 to 10240/);
  });

  it('takes memorySize 256', () => {
    expect(direct('eu-west-1', { memorySize: 256 }).build).not.toThrow();
  });
});

describe('the construct keeps e-mail addresses out of its names and tags in any app', () => {
  it('fails synthesis when a tag value holds an e-mail address, without repeating it', () => {
    const { app, stack, build } = direct('eu-west-1');
    build();
    Tags.of(stack).add('owner', 'jane.doe@example.com');
    const synth = () => app.synth();
    expect(synth).toThrow(/tag of S\/Mail\/.* contains an e-mail address/);
    expect(synth).not.toThrow(/jane/);
  });

  it('accepts the recipients, where addresses belong', () => {
    const { app, build } = direct('eu-west-1');
    build();
    expect(() => app.synth()).not.toThrow();
  });
});
