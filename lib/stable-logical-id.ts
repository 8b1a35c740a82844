/**
 * Keeps the logical IDs stateful resources had before the constructs that own them were split out of one construct.
 *
 * CloudFormation replaces a resource whose logical ID changes. For the keys and buckets, which are retained on delete,
 * that would leave stored mail behind with the only key that opens it; for the named rule set and rule it fails
 * outright (the new one's name is taken). So each such resource keeps the ID its 0.1 path gave it.
 *
 * The ID is aws-cdk-lib's own function of the construct path (`makeUniqueId` in core/lib/private/uniqueid.ts):
 * written again here because it is not exported. `test/infra/upgrade-from-releases.test.ts` diffs 0.1.0's templates
 * (test/fixtures/releases/0.1.0/) against today's: a resource whose ID moved shows up there as replaced or removed.
 */
import { createHash } from 'node:crypto';
import { type CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Gives `resource` the logical ID it would have at `legacyPath` below `owner` (the `EncryptedInboundMail`).
 * @param legacyPath construct ids below `owner`, e.g. `['MailKey', 'Resource']`
 */
export function keepLogicalId(resource: CfnResource, owner: IConstruct, legacyPath: readonly string[]): void {
  const stack = Stack.of(owner);
  const ownerPath = owner.node.scopes.slice(owner.node.scopes.indexOf(stack) + 1).map((scope) => scope.node.id);
  resource.overrideLogicalId(logicalIdOf([...ownerPath, ...legacyPath]));
}

/** aws-cdk-lib's logical ID for a path of construct ids below the stack. */
export function logicalIdOf(path: readonly string[]): string {
  const components = path.filter((id) => id !== 'Default');
  const hash = createHash('md5').update(components.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const component of components) {
    // Consecutive duplicates collapse (a component that ends with the next one is kept once).
    if (human.length === 0 || !(human[human.length - 1] as string).endsWith(component)) {
      human.push(component);
    }
  }
  return (
    human
      .filter((id) => id !== 'Resource')
      .map((id) => id.replace(/[^A-Za-z0-9]/g, ''))
      .join('')
      .slice(0, 240) + hash
  );
}
