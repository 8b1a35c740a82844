// Runs the bundled function (dist/lambda/index.js) on one S3 event in a process of its own, as Lambda would: the
// benchmark reads this process's peak memory, the bundle smoke test its result.
// Usage: node run-bundled-handler.cjs '<S3 event JSON>'
const { join } = require('node:path');
const { handler } = require(join(__dirname, '..', 'dist', 'lambda', 'index.js'));

handler(JSON.parse(process.argv[2] ?? '{"Records":[]}')).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error) => {
    process.stderr.write(`${error.name}\n`);
    process.exitCode = 1;
  },
);
