/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // test/moto needs moto's server (requirements-dev.txt): `npm run test:moto` runs it. test/package installs the packed
  // package into fresh apps with npm, which reaches the registry for releases not in its cache: `npm run test:package`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/moto/', '<rootDir>/test/package/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } } }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/quiet-env.ts', '<rootDir>/test/support/builtin-validation-off.ts'],
  testTimeout: 60_000,
  // Both cores: most suites wait on emulators, child processes and synth output as much as they compute. Jest's
  // default (cores - 1) would run the whole suite in one worker on a two-core machine.
  maxWorkers: 2,
  testSequencer: '<rootDir>/test/support/stack-suites-first.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
