#!/usr/bin/env node
/**
 * The CDK app (`cdk.json` runs it). Entry point only: the app itself is built by `lib/inbound-mail-app.ts`.
 */
import { buildApp } from '../lib/inbound-mail-app';

buildApp();
