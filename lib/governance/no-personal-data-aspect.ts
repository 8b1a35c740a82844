/**
 * Refuses synthesis when a tag value or a resource name holds an e-mail address: names and tags end up in billing
 * reports, CloudTrail and diagnostics, where personal data does not belong.
 */
import { CfnResource, type IAspect, Stack, TagManager, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

const EMAIL_ADDRESS = /[^\s@"'<>]+@[^\s@"'<>]+\.[^\s@"'<>]+/;

/** Thrown at synthesis; names where, never the value. */
export class PersonalDataInNameError extends Error {
  override readonly name = 'PersonalDataInNameError';
}

/** Add with `AspectPriority.READONLY` so it sees tags applied by other aspects. */
export class NoPersonalDataAspect implements IAspect {
  visit(node: IConstruct): void {
    if (EMAIL_ADDRESS.test(node.node.id)) {
      throw new PersonalDataInNameError(`construct id at ${node.node.path} contains an e-mail address`);
    }
    if (node instanceof Stack && EMAIL_ADDRESS.test(node.stackName)) {
      throw new PersonalDataInNameError(`stack name of ${node.node.path} contains an e-mail address`);
    }
    if (!(node instanceof CfnResource)) {
      return;
    }
    const tags = TagManager.of(node)?.renderTags() as unknown;
    for (const value of stringsIn(tags)) {
      if (EMAIL_ADDRESS.test(value)) {
        throw new PersonalDataInNameError(`a tag of ${node.node.path} contains an e-mail address`);
      }
    }
    // CloudFormation properties are kept on the L1 object; names are the ones ending in "Name" (BucketName,
    // QueueName, FunctionName, RuleSetName, AliasName, ...) plus the rule's own Name.
    const properties = (node as unknown as { _cfnProperties?: Record<string, unknown> })._cfnProperties ?? {};
    for (const [name, value] of namedProperties(properties)) {
      if (EMAIL_ADDRESS.test(value)) {
        throw new PersonalDataInNameError(`property ${name} of ${node.node.path} contains an e-mail address`);
      }
    }
  }
}

function* namedProperties(value: unknown, path = ''): Generator<[string, string]> {
  if (Array.isArray(value)) {
    for (const item of value) {
      yield* namedProperties(item, path);
    }
    return;
  }
  // Only plain data: tokens, lazies and constructs hold references back into the tree.
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    const here = path === '' ? key : `${path}.${key}`;
    if (typeof inner === 'string' && /name$/i.test(key) && !Token.isUnresolved(inner)) {
      yield [here, inner];
    } else if (typeof inner === 'object') {
      yield* namedProperties(inner, here);
    }
  }
}

function* stringsIn(value: unknown): Generator<string> {
  if (typeof value === 'string') {
    if (!Token.isUnresolved(value)) yield value;
  } else if (Array.isArray(value)) {
    for (const item of value) yield* stringsIn(item);
  } else if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) yield* stringsIn(item);
  }
}
