#!/usr/bin/env node
/**
 * The CDK app (`cdk.json` runs it). Entry point only: the app itself is built by `lib/app/inbound-mail-app.ts`.
 */
import { buildApp, isConfigurationError } from '../lib/app/inbound-mail-app';

try {
  buildApp();
} catch (error) {
  // A setting the stack cannot use: one line naming it and the fix, not a stack trace.
  if (isConfigurationError(error)) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
