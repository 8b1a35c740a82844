// Unit tests run without Powertools' log and metric lines on stdout; the integration test that inspects logs turns
// them back on for itself.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

// Template tests run without aws-cdk-lib's built-in CloudFormation validation: it only warns, and starting its
// engine costs each test file about 3.5 s and each template about 1 s (three template suites: 25 s with it, 8 s
// without). The suites that synthesize the app as users do keep it and fail on its findings: test/infra/cdk-nag.test.ts
// and the CDK CLI runs (test/support/cdk-cli.ts).
process.env.CDK_VALIDATION ??= 'false';
