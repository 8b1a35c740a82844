/** Runs an operator command (replay, redrive) in-process against a local stack, capturing what it prints. */
import { PassThrough } from 'node:stream';
import type { OperatorIo } from '../../cli/operator-context';
import type { LocalStack } from '../../local/local-stack';

/** A stream that keeps what is written to it. */
export function capture() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** An operator command's entry point: arguments and streams in, the exit status out. */
export type OperatorCommand = (args: readonly string[], io: OperatorIo) => Promise<number>;

/** Runs `command` with the stack's environment (or `env`) and clients; its status and what it printed. */
export async function runOperator(
  stack: LocalStack,
  command: OperatorCommand,
  args: string[],
  options: { interrupted?: Promise<void>; env?: Record<string, string> } = {},
) {
  const stdout = capture();
  const stderr = capture();
  const status = await command(args, {
    env: options.env ?? stack.env,
    stdout: stdout.stream,
    stderr: stderr.stream,
    clients: stack.clients,
    interrupted: options.interrupted,
  });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}
