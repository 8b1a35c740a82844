#!/usr/bin/env node
/**
^ * The operator CLI: `decrypt`, `replay`, `redrive`, `quarantine`. Entry point only; the commands live in cli/.
 */
import { runCli } from '../cli/run-cli';

// The first Ctrl-C asks long commands to stop cleanly (and say how to resume); a second one exits at once.
const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after the objects in flight; Ctrl-C again to quit now\n');
    process.once('SIGINT', () => process.exit(130));
    resolve();
  });
});

// A reader that stops early (`| head`) closes the pipe: that is the reader's choice, not a failure to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') {
    process.exit(process.exitCode ?? 0);
  }
  throw error;
});

runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr, interrupted }).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`ses-inbound: internal error: ${error instanceof Error ? error.name : 'unknown'}\n`);
    process.exitCode = 70;
  },
);
