#!/usr/bin/env node
/**
 * The operator CLI: `decrypt` (one stored mail). Entry point only; the commands live in cli/.
 */
import { runCli } from '../cli/run-cli';

runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`ses-inbound: internal error: ${error instanceof Error ? error.name : 'unknown'}\n`);
    process.exitCode = 70;
  },
);
