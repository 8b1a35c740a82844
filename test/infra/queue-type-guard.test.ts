/**
 * Toggling `fifo` replaces both output queues (FifoQueue: "Update requires: Replacement"), deleting undelivered mail.
 * The template carries a guard that refuses it unless accepted (its handler: test/unit/output-queue-type-guard.test.ts);
 * pinned here: what it is told, and that it runs before either output queue is touched.
 */
import { logicalId, synthStack } from '../support/synth';

function guardOf(result: ReturnType<typeof synthStack>) {
  const guards = Object.entries(result.template.findResources('Custom::OutputQueueTypeGuard'));
  expect(guards).toHaveLength(1);
  const [id, resource] = guards[0] as [string, Record<string, any>];
  return { id, resource };
}

it.each([
  ['standard', {}, 'standard', 'false'],
  ['FIFO', { fifo: 'true' }, 'fifo', 'false'],
  ['an accepted replacement', { fifo: 'true', acceptQueueReplacement: 'true' }, 'fifo', 'true'],
])('tells the guard the queue type asked for and whether replacing is accepted (%s)', (_n, context, type, accept) => {
  const result = synthStack(context);
  expect(guardOf(result).resource.Properties).toMatchObject({
    QueueType: type,
    AcceptQueueReplacement: accept,
    OutputQueueLogicalId: logicalId(result.stack.pipeline.outputQueue),
  });
});

it('runs before either output queue is created, updated or replaced', () => {
  const result = synthStack();
  const { id } = guardOf(result);
  const resources = result.template.toJSON().Resources;
  for (const queue of [result.stack.pipeline.outputQueue, result.stack.pipeline.outputDeadLetterQueue]) {
    expect(resources[logicalId(queue)].DependsOn).toContain(id);
  }
});

it('may read only this stack', () => {
  const result = synthStack();
  const { resource } = guardOf(result);
  const providerId = resource.Properties.ServiceToken['Fn::GetAtt'][0] as string;
  const roleId = result.template.toJSON().Resources[providerId].Properties.Role['Fn::GetAtt'][0] as string;
  const role = result.template.toJSON().Resources[roleId];
  const statements = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
  expect(statements).toEqual([
    {
      Effect: 'Allow',
      Action: ['cloudformation:ListStackResources', 'cloudformation:DescribeStacks'],
      Resource: { Ref: 'AWS::StackId' },
    },
  ]);
});

it('reads acceptQueueReplacement from context (not refused as an unknown key)', () => {
  expect(() => synthStack({ acceptQueueReplacement: 'true' })).not.toThrow();
});
