// Runs the bundled function (dist/lambda/index.js) on one S3 event in a process of its own, as Lambda would: the
// benchmark reads this process's peak memory, the bundle tests its result.
// Usage: node run-bundled-handler.cjs '<S3 event JSON>'
// With REPORT_PEAK_RSS=1 it prints {"result"|"error", "peakRssMiB"} instead, for tests that bound memory.
const { join } = require('node:path');
const { handler } = require(join(__dirname, '..', 'dist', 'lambda', 'index.js'));

const reportPeak = process.env.REPORT_PEAK_RSS === '1';
// resourceUsage().maxRSS is in KiB.
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

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
