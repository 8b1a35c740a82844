// Every suite of npm test (jest.config.js) runs without aws-cdk-lib's built-in CloudFormation validation: in template
// tests it only warns, and starting its engine costs each test file about 3.5 s and each template about 1 s (three template
// suites: 25 s with it, 8 s without). What synthesizes the app as users do keeps it and fails on its findings:
// test/infra/cdk-nag.test.ts, the CDK CLI runs (test/support/cdk-cli.ts) and `npm run test:package`, whose
// configuration leaves this file out.
process.env.CDK_VALIDATION ??= 'false';
