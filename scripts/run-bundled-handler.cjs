// Runs the bundled function (dist/functions/decrypt/index.js) on one S3 event in a process of its own, as Lambda would: the
// benchmark reads this process's peak memory, the bundle tests its result.
// Usage: node run-bundled-handler.cjs '<S3 event JSON>'
// With REPORT_PEAK_RSS=1 it prints {"result"|"error", "peakRssMiB"} instead, for tests that bound memory.
const { join } = require('node:path');
const { handler } = require(join(__dirname, '..', 'dist', 'functions', 'decrypt', 'index.js'));

const { readFileSync } = require('node:fs');

const reportPeak = process.env.REPORT_PEAK_RSS === '1';
// VmHWM is this process image's own peak. getrusage's maxRSS is not: Linux carries it over exec from the parent
// that forked us (a test runner worker of 200 MiB would be reported as our peak).
const peakRssMiB = () => {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return Math.round((hwm === undefined ? process.resourceUsage().maxRSS : Number(hwm)) / 1024);
};

handler(JSON.parse(process.argv[2] ?? '{"Records":[]}')).then(
  (result) => process.stdout.write(`${JSON.stringify(reportPeak ? { result, peakRssMiB: peakRssMiB() } : result)}\n`),
  (error) => {
    if (reportPeak) {
      process.stdout.write(`${JSON.stringify({ error: error.name, peakRssMiB: peakRssMiB() })}\n`);
    }
    process.stderr.write(`${error.name}\n`);
    process.exitCode = 1;
  },
);
