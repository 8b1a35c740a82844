/**
 * `npm run test:package`: the packaging suites (test/package), which the default configuration leaves out. A file of
 * its own rather than `--roots` on the command line, so `npm run test:package -- <pattern>` can still pick suites.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/package'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Without builtin-validation-off.ts: the apps these suites synthesize run as users' do, aws-cdk-lib's validation on.
  setupFiles: base.setupFiles.filter((file) => !file.endsWith('/builtin-validation-off.ts')),
  // The default setup, then one npm pack for the run's suites (test/support/packed-package.ts, sharedTarball).
  globalSetup: '<rootDir>/test/support/package-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/package-global-teardown.ts',
};
