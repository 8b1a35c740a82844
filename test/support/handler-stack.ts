/** The local emulators with the decrypt function's handler configured against them, as Lambda would run it. */
import type { createHandler } from '../../lambda/decrypt-function/handler';
import { type LocalStack, startLocalStack } from '../../local/local-stack';

export async function startStackWithHandler(): Promise<{
  stack: LocalStack;
  handler: ReturnType<typeof createHandler>;
}> {
  const stack = await startLocalStack();
  // The handler reads its configuration and endpoints from the environment, as in Lambda.
  Object.assign(process.env, stack.env);
  const { createHandler: create } = await import('../../lambda/decrypt-function/handler');
  return { stack, handler: create() };
}
