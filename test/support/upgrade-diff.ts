/**
 * What an upgrade from a released template to today's would break, read from `@aws-cdk/cloudformation-diff` (what
 * `cdk diff` uses): the resources CloudFormation would replace or remove that must survive an upgrade.
 *
 * A changed logical id is a new resource: CloudFormation creates it, then deletes the old one in the clean-up phase
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html).
 * So a replacement loses a resource's state; for resources of which a target holds one (a bucket's policy, its
 * notification configuration, a function's invoke config) the new one's create fails or the old one's delete undoes it;
 * and a removed custom resource's delete runs its provider with the old properties
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/crpg-ref-requesttypes-delete.html).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';

/** Resources whose state is lost when replaced or removed. */
const STATEFUL = [
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::SQS::Queue',
  'AWS::Logs::LogGroup',
  'AWS::SES::ReceiptRuleSet',
  'AWS::SES::ReceiptRule',
  'AWS::SES::EmailIdentity',
  // A record set under a new id is created under the name the old one holds, then deleted by its delete.
  'AWS::Route53::RecordSet',
];

/** Resources of which their target holds one (or whose delete undoes a sibling's create): never replaced or removed. */
const ONE_PER_TARGET = [
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  'Custom::S3BucketNotifications',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Function',
];

/** A custom resource's delete runs code with the old properties: none may be removed by an upgrade. */
function hasDeleteSideEffects(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** One change an upgrade must not make: the logical id, its type, and what would happen. */
export interface Offence {
  readonly logicalId: string;
  readonly type: string;
  readonly impact: string;
}

/** The replacements and removals of `oldTemplate`'s resources that updating a stack to `newTemplate` would make. */
export function upgradeOffences(oldTemplate: object, newTemplate: object): Offence[] {
  const offences: Offence[] = [];
  fullDiff(oldTemplate, newTemplate).resources.forEachDifference((logicalId, change) => {
    const type = change.oldResourceType;
    if (type === undefined) return; // an addition
    const impact = change.changeImpact;
    const removed = change.isRemoval || impact === ResourceImpact.WILL_DESTROY || impact === ResourceImpact.WILL_ORPHAN;
    const replaced = impact === ResourceImpact.WILL_REPLACE || impact === ResourceImpact.MAY_REPLACE;
    const guarded = STATEFUL.includes(type) || ONE_PER_TARGET.includes(type) || hasDeleteSideEffects(type);
    if (guarded && (removed || replaced)) {
      offences.push({ logicalId, type, impact: removed ? 'removed' : 'replaced' });
    }
  });
  return offences.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/** One line per offence, for a failure message that names every offending logical id. */
export function describeOffences(offences: readonly Offence[]): string {
  return offences.map((o) => `${o.impact.padEnd(8)} ${o.type.padEnd(32)} ${o.logicalId}`).join('\n');
}

/** The settings a release fixture was synthesized with (`<name>.settings.json` beside `<name>.template.json`). */
export interface ReleaseSettings {
  /** The region the release's template was synthesized for; today's is synthesized for the same. */
  readonly region: string;
  /** The `-c` values given to the release's `cdk synth` (documentation: the README says how they were used). */
  readonly releaseContext: Record<string, string>;
  /** The same settings as today's stack reads them. */
  readonly context: Record<string, string>;
}

/** A released template and the settings it was synthesized with. */
export interface ReleaseFixture {
  readonly release: string;
  readonly name: string;
  readonly template: object;
  readonly settings: ReleaseSettings;
}

export const RELEASES_DIR = join(__dirname, '..', 'fixtures', 'releases');

/** Every `<name>.template.json` of the release folder, with its settings. */
export function releaseFixtures(release: string): ReleaseFixture[] {
  const dir = join(RELEASES_DIR, release);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.template.json'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -'.template.json'.length);
      const read = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
      return { release, name, template: read(file), settings: read(`${name}.settings.json`) };
    });
}
