/**
 * The architecture as a check (`npm run lint:architecture`, part of `npm test`): docs/ARCHITECTURE.md draws the
 * folders; these rules keep the arrows between them pointing the way the picture says. Each rule's comment is what a
 * contributor sees when a change breaks it.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle: modules that need each other belong together, or the shared part goes one level down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'reader-is-a-library',
      severity: 'error',
      comment:
        'lambda/reader is an S3 Encryption Client reader: it may use node: modules, the KMS and S3 clients and the ' +
        'contract, and nothing of Lambda, SQS, Powertools, the functions or their configuration.',
      from: { path: '^lambda/reader/' },
      to: {
        dependencyTypesNot: ['core'],
        pathNot: ['^lambda/(reader|contract)/', '^node_modules/@aws-sdk/client-(kms|s3)/'],
      },
    },
    {
      name: 'contract-is-a-leaf',
      severity: 'error',
      comment:
        'lambda/contract is what the functions, the consumer helper, the CLI and the construct share: it imports nothing.',
      from: { path: '^lambda/contract/' },
      to: { dependencyTypesNot: ['core'], pathNot: '^lambda/contract/' },
    },
    {
      name: 'functions-stand-alone',
      severity: 'error',
      comment: 'The decrypt function, the verdict gate and the consumer helper share only the reader and the contract.',
      from: { path: '^lambda/(decrypt-function|verdict-gate|consumer)/' },
      to: { path: '^lambda/(decrypt-function|verdict-gate|consumer)/', pathNot: '^lambda/$1/' },
    },
    {
      name: 'lambda-never-imports-the-outside',
      severity: 'error',
      comment:
        'Code under lambda/ runs in Lambda or in a consumer: it never imports the CDK, the CLI or the local tools.',
      from: { path: '^lambda/' },
      to: { path: ['^(api|bin|cli|lib|local|scripts|test)/', '^node_modules/(aws-cdk-lib|constructs|cdk-nag)/'] },
    },
    {
      name: 'construct-uses-only-the-contract',
      severity: 'error',
      comment:
        'lib/ deploys the functions as built bundles (lib/functions/function-source.ts): of their code it imports only ' +
        'lambda/contract, so the stack never runs function code at synth.',
      from: { path: '^lib/' },
      to: { path: '^lambda/', pathNot: '^lambda/contract/' },
    },
  ],
  options: {
    doNotFollow: { path: '^node_modules' },
    exclude: { path: '^(dist|cdk\\.out|node_modules)/' },
    // Type-only imports count: a cycle through types is still two modules that cannot be read apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
