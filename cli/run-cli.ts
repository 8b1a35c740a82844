/**
 * Dispatches the operator CLI's commands and turns their outcomes into one line on stderr and an exit status.
 */
import { ConfigError } from '../lambda/contract/environment-values';
import { InboundMailError } from '../lambda/reader/errors';
import { version } from '../package.json';
import { closestFlag } from './parse-command-args';
import { describeSetupProblem } from './setup-problem';
import { settingsFromStack, takeStackFlag } from './stack-settings';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';
import { DECRYPT_USAGE, QUARANTINE_USAGE, REDRIVE_USAGE, REPLAY_USAGE } from './usage-texts';

/**
 * Exit statuses: decrypted or done; refused (the object: a reason code is printed); usage (the command line, a file
 * or object that is not there); transient failure (run again); set-up (credentials or region: fix, then run again).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, transient: 3, setup: 4 } as const;

const USAGE = `Usage: ses-inbound <command> [options]

Commands:
  decrypt   decrypt one stored mail (from S3 or a file)
  replay    re-process stored mail through the function's logic, with progress
  redrive   move the failure queue's records back through the function's logic
  quarantine  list, release or purge mail the verdicts quarantined

Every command takes --stack NAME: the queue URLs, buckets, key ARN and rule name come from that deployed stack's
outputs. Run 'ses-inbound <command> --help' for a command's options, 'ses-inbound --version' for the version.
Exit status: 0 done, 1 refused, 2 usage, 3 transient failure (run again), 4 AWS set-up (credentials, region, access denied).`;

/** The process's environment and streams, passed in so tests can run the CLI in-process. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** process.stdout, or in tests a stream with `isTTY` set to stand for a terminal. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  /** Resolves on Ctrl-C: long commands stop starting work and say how to resume. */
  readonly interrupted?: Promise<void>;
  /** For `--stack` (tests pass a stub). @default - a client from the SDK's default chain */
  readonly cloudFormation?: import('@aws-sdk/client-cloudformation').CloudFormationClient;
}

const COMMANDS = {
  decrypt: {
    usage: DECRYPT_USAGE,
    run: async (args: readonly string[], io: CliIo) => {
      await (await import('./decrypt-command')).runDecryptCommand(args, io);
      return EXIT.ok;
    },
  },
  // Loaded on use (chunks of their own in dist/cli/): `--help` loads no AWS SDK, and decrypting a file does not pay
  // for the SQS client replay and redrive need.
  replay: {
    usage: REPLAY_USAGE,
    run: async (args: readonly string[], io: CliIo) => (await import('./replay-command')).runReplayCommand(args, io),
  },
  redrive: {
    usage: REDRIVE_USAGE,
    run: async (args: readonly string[], io: CliIo) => (await import('./redrive-command')).runRedriveCommand(args, io),
  },
  quarantine: {
    usage: QUARANTINE_USAGE,
    run: async (args: readonly string[], io: CliIo) =>
      (await import('./quarantine-command')).runQuarantineCommand(args, io),
  },
} as const;

/**
 * Runs one command line; returns the exit status. Never prints mail content or addresses; what it prints of a path,
 * key or argument has its control characters escaped (terminal-text.ts).
 */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    io.stdout.write(`ses-inbound ${version}\n`);
    return EXIT.ok;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    const closest = closestFlag(command, Object.keys(COMMANDS));
    io.stderr.write(
      `ses-inbound: unknown command '${escapeControls(command)}'${closest === undefined ? '' : `; did you mean ${closest}?`}\n${USAGE}\n`,
    );
    return EXIT.usage;
  }
  const { usage, run } = COMMANDS[command as keyof typeof COMMANDS];
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${usage}\n`);
    return EXIT.ok;
  }
  try {
    // --stack NAME fills the settings from the deployed stack's outputs; flags given as well still win.
    const { stackName, rest: args } = takeStackFlag(rest);
    if (stackName === undefined) {
      return await run(args, io);
    }
    const cloudFormation = io.cloudFormation ?? (await stackClient(io.env));
    try {
      const fromStack = await settingsFromStack(cloudFormation, stackName);
      return await run(args, { ...io, env: { ...io.env, ...fromStack } });
    } finally {
      if (io.cloudFormation === undefined) cloudFormation.destroy();
    }
  } catch (error) {
    return report(command, error, io.stderr);
  }
}

/**
 * Prints the outcome. Messages can carry what came from outside (a path, a key, an SDK's error name): each goes out
 * through escapeControls, so none of it can act on the terminal.
 */
function report(command: string, error: unknown, stderr: NodeJS.WritableStream): number {
  const say = (text: string) => stderr.write(`ses-inbound ${command}: ${escapeControls(text)}\n`);
  const setupProblem = describeSetupProblem(error);
  if (setupProblem !== undefined) {
    say(setupProblem);
    return EXIT.setup;
  }
  if (error instanceof InboundMailError) {
    if (error.retryable) {
      say(`failed, may succeed on retry (${error.code}): ${error.message}`);
      return EXIT.transient;
    }
    say(`refused (${error.code}): ${error.message}`);
    return EXIT.refused;
  }
  if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
    say((error as Error).message);
    stderr.write(`Run 'ses-inbound ${command} --help' for its options.\n`);
    return EXIT.usage;
  }
  const name = error instanceof Error ? error.name : 'Error';
  const code = (error as { code?: unknown }).code;
  // SDK and file-system errors: their name and code say what failed without repeating request data.
  say(`failed (${name}${typeof code === 'string' ? ` ${code}` : ''})`);
  return EXIT.transient;
}

/** A CloudFormation client for `--stack`, loaded only when asked for. */
async function stackClient(env: CliIo['env']) {
  const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
  return new CloudFormationClient({ region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION });
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
