/**
 * Upgrades from every release (issue 18, item 4): each released template kept in test/fixtures/releases/<version>/,
 * diffed against today's stack synthesized with the same settings, must lose no stateful resource, no policy or
 * notification configuration, and remove no resource whose delete has side effects. A new release adds its folder
 * here (its README says how the templates were produced).
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptedInboundMailStack } from '../../lib/app/encrypted-inbound-mail-stack';
import { STACK_NAME } from '../../lib/app/inbound-mail-app';
import { CDK_JSON_CONTEXT, TEST_ENV } from '../support/synth';
import { describeOffences, type ReleaseFixture, releaseFixtures, upgradeOffences } from '../support/upgrade-diff';

/** Every release a deployed stack may be upgraded from. */
const RELEASES = ['0.1.0', '0.2.0'];

/** 0.1.0's and 0.2.0's Macie job, an AwsCustomResource whose delete cancels the job it created. */
const MACIE_JOB_MOVED = {
  InboundMailPayloadDiscovery183E9EA7: {
    why:
      'the released Macie job (an AwsCustomResource): its delete cancels that job, and the job moves to a resource of ' +
      'its own type (Custom::MacieClassificationJob), which creates a new one; nothing stored is touched',
    holds: (resource: any) =>
      resource.Type === 'Custom::AWS' &&
      JSON.parse(resource.Properties.Delete).action === 'updateClassificationJob' &&
      JSON.parse(resource.Properties.Delete).parameters.jobStatus === 'CANCELLED',
  },
};

/**
 * Removals a release's upgrade makes on purpose, each with why its loss is safe and a check of the released resource
 * that the reason rests on (so the reason cannot outlive the fact).
 */
const ACCEPTED_REMOVALS: Record<string, Record<string, { why: string; holds: (resource: any) => boolean }>> = {
  '0.1.0': MACIE_JOB_MOVED,
  '0.2.0': MACIE_JOB_MOVED,
};

const synthesized = new Map<string, object>();

/** Today's template with `fixture`'s settings, under the stack name releases deployed (one id holds it). */
function todaysTemplate(fixture: ReleaseFixture): object {
  // Keyed by what is synthesized: releases whose settings are the same share today's template.
  const key = `${fixture.settings.region}|${JSON.stringify(fixture.settings.context)}`;
  const cached = synthesized.get(key);
  if (cached !== undefined) return cached;
  const app = new App({
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...fixture.settings.context },
  });
  const stack = new EncryptedInboundMailStack(app, STACK_NAME, {
    env: { account: TEST_ENV.account, region: fixture.settings.region },
  });
  const template = Template.fromStack(stack).toJSON();
  synthesized.set(key, template);
  return template;
}

describe.each(RELEASES)('upgrading from %s', (release) => {
  it.each(releaseFixtures(release).map((fixture) => [fixture.name, fixture] as const))(
    'with %s settings replaces or removes nothing that must survive',
    (_name, fixture) => {
      const accepted = ACCEPTED_REMOVALS[release] ?? {};
      for (const [id, acceptance] of Object.entries(accepted)) {
        const released = (fixture.template as any).Resources[id];
        if (released !== undefined) expect(acceptance.holds(released)).toBe(true);
      }
      const offences = upgradeOffences(fixture.template, todaysTemplate(fixture)).filter(
        (offence) => !(offence.impact === 'removed' && offence.logicalId in accepted),
      );
      if (offences.length > 0) {
        throw new Error(
          `upgrading from ${release} (${fixture.name}) would replace or remove:\n${describeOffences(offences)}\n` +
            'Give a resource that moved its released logical id (lib/upgrades/), or say why its loss is safe.',
        );
      }
    },
  );
});

describe("0.1.0's activation, retired", () => {
  // 0.1.0's AwsCustomResource: its delete called SetActiveReceiptRuleSet with no name (every set deactivated).
  const ID = 'InboundMailActivationC45089ED';
  const fixture = releaseFixtures('0.1.0').find((f) => f.name === 'all-options') as ReleaseFixture;
  const before = (fixture.template as any).Resources[ID];
  const after = (todaysTemplate(fixture) as any).Resources[ID];

  it('keeps its type, provider and physical id, with no update call and no delete call', () => {
    expect(before.Properties.Delete).toContain('setActiveReceiptRuleSet');
    expect(after.Type).toBe(before.Type);
    expect(after.Properties.ServiceToken).toEqual(before.Properties.ServiceToken);
    expect(after.Properties.Update).toBeUndefined();
    expect(after.Properties.Delete).toBeUndefined();
    const physicalId = (call: string) => JSON.parse(call).physicalResourceId;
    expect(physicalId(after.Properties.Create)).toEqual(physicalId(before.Properties.Create));
    expect(JSON.parse(after.Properties.Create)).toMatchObject({
      service: 'SES',
      action: 'describeActiveReceiptRuleSet',
    });
  });
});

describe('the upgrade check', () => {
  const bucket = (name: string) => ({ Type: 'AWS::S3::Bucket', Properties: { BucketName: name } });
  const template = (resources: Record<string, object>) => ({ Resources: resources });

  it('names a replaced bucket, a removed custom resource and a renamed bucket policy', () => {
    const before = template({
      Bucket: bucket('a'),
      Activation: { Type: 'Custom::AWS', Properties: { ServiceToken: 'arn' } },
      OldPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'a', PolicyDocument: {} } },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
    });
    const after = template({
      Bucket: bucket('b'),
      NewPolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'a', PolicyDocument: {} } },
    });
    expect(upgradeOffences(before, after)).toEqual([
      { logicalId: 'Activation', type: 'Custom::AWS', impact: 'removed' },
      { logicalId: 'Bucket', type: 'AWS::S3::Bucket', impact: 'replaced' },
      { logicalId: 'OldPolicy', type: 'AWS::S3::BucketPolicy', impact: 'removed' },
    ]);
  });

  it('has a fixture for every release', () => {
    for (const release of RELEASES) expect(releaseFixtures(release).length).toBeGreaterThan(0);
  });
});
