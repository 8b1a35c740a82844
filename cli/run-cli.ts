/**
 * Dispatches the operator CLI's commands and turns their outcomes into one line on stderr and an exit status.
 */
import { ConfigError } from '../lambda/config';
import { InboundMailError } from '../lambda/errors';
import { DECRYPT_USAGE, runDecryptCommand } from './decrypt-command';
import { UsageError } from './usage-error';

export const EXIT = { ok: 0, refused: 1, usage: 2, transient: 3 } as const;

const USAGE = `Usage: ses-inbound <command> [options]

Commands:
  decrypt   decrypt one stored mail (from S3 or a file)

Run 'ses-inbound <command> --help' for a command's options.`;

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Runs one command line; returns the exit status. Never prints mail content, keys or addresses. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command !== 'decrypt') {
    io.stderr.write(`ses-inbound: unknown command '${printable(command)}'\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${DECRYPT_USAGE}\n`);
    return EXIT.ok;
  }
  try {
    await runDecryptCommand(rest, io);
    return EXIT.ok;
  } catch (error) {
    return report(error, io.stderr);
  }
}

function report(error: unknown, stderr: NodeJS.WritableStream): number {
  if (error instanceof InboundMailError) {
    if (error.retryable) {
      stderr.write(`ses-inbound decrypt: failed, may succeed on retry (${error.code}): ${error.message}\n`);
      return EXIT.transient;
    }
    stderr.write(`ses-inbound decrypt: refused (${error.code}): ${error.message}\n`);
    return EXIT.refused;
  }
  if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
    stderr.write(`ses-inbound decrypt: ${(error as Error).message}\n${DECRYPT_USAGE}\n`);
    return EXIT.usage;
  }
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown }).code;
  // SDK and file-system errors: their name and code say what failed without repeating request data.
  stderr.write(`ses-inbound decrypt: failed (${name}${typeof code === 'string' ? ` ${code}` : ''})\n`);
  return EXIT.transient;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}
