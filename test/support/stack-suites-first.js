// Jest starts the suites its last run found slowest first. A fresh clone (every CI run, a user's first `npm test`) has
// no such record, and Jest falls back to file size: the two slowest suites (test/infra/cdk-synth and cdk-nag, about a
// minute each, both small files) then start among the last, and one worker waits alone at the end. Here the stack
// suites (test/infra, each synthesizes the app) start first, each group in Jest's own order.
const { relative, sep } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const isStackSuite = (test) => relative(test.context.config.rootDir, test.path).startsWith(`test${sep}infra${sep}`);

class StackSuitesFirst extends Sequencer {
  sort(tests) {
    return [...super.sort(tests.filter(isStackSuite)), ...super.sort(tests.filter((test) => !isStackSuite(test)))];
  }
}

module.exports = StackSuitesFirst;
