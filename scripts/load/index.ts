/**
 * `npm run load [-- --mails N --containers C --duplicates S]`: the pipeline at volume over the emulators, outside
 * `npm test`. Scenarios, each on fresh emulators with the same mails: the copy-only reference, the function in calm
 * conditions, under a storm (S3 and SQS refuse one request in four, every first read of an object is cut), under KMS
 * throttling (every third call), and both at once. Prints one table; exits 1 when a goal is missed: nothing lost,
 * nothing corrupt, no event failed permanently, throughput under throttling at least half the calm run's. Throughput is
 * mails over the time until each had been delivered once; the time until the work queue was empty (duplicates and
 * returned messages waiting out their delay included) and until 99 % of its events were done are printed beside it.
 */
import { parseArgs } from 'node:util';
import { startDeliveryRecords } from './delivery-records';
import { mailMix } from './mail-mix';
import { runScenario, type ScenarioOptions, type ScenarioReport } from './scenario';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      mails: { type: 'string', default: '1000' },
      containers: { type: 'string', default: '8' },
      duplicates: { type: 'string', default: '0.1' },
      'no-records': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm run load [-- --mails 1000 --containers 8 --duplicates 0.1 --no-records]\n' +
        '--no-records: without delivery records (DynamoDB on moto), as with deliveryRecords: false\n',
    );
    return 0;
  }
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const mails = mailMix(Number(values.mails));
  // The delivery records, on by default as in the stack: one table per scenario on moto's DynamoDB.
  const records = values['no-records'] ? undefined : await startDeliveryRecords();
  const base = {
    mails,
    containers: Number(values.containers),
    duplicateShare: Number(values.duplicates),
    ...(records === undefined ? {} : { prepare: records.table }),
  };
  const storm = { refuseEvery: 4, cutFirstRead: true };
  const scenarios: ScenarioOptions[] = [
    { ...base, name: 'copy-only (reference)', handler: 'copy-only', faults: {} },
    { ...base, name: 'function, calm', handler: 'function', faults: {} },
    { ...base, name: 'function, storm', handler: 'function', faults: storm },
    { ...base, name: 'function, KMS throttled', handler: 'function', faults: { kmsThrottleEvery: 3 } },
    { ...base, name: 'function, storm + throttled', handler: 'function', faults: { ...storm, kmsThrottleEvery: 3 } },
  ];
  const reports: ScenarioReport[] = [];
  try {
    for (const scenario of scenarios) {
      process.stderr.write(`${scenario.name}: ${mails.length} mails ...\n`);
      reports.push(await runScenario(scenario));
    }
  } finally {
    await records?.moto.stop();
  }
  process.stdout.write(`delivery records: ${records === undefined ? 'off' : 'on (moto DynamoDB)'}\n`);
  process.stdout.write(`${table(reports)}\n`);
  const problems = goals(reports, records !== undefined);
  for (const problem of problems) process.stdout.write(`MISSED: ${problem}\n`);
  return problems.length === 0 ? 0 : 1;
}

function table(reports: readonly ScenarioReport[]): string {
  const reference = reports[0]?.mailsPerSecond ?? 1;
  const header = [
    'scenario',
    'events',
    'delivered',
    'dup',
    'corrupt',
    'rejected',
    'failed',
    'mails/s',
    'vs copy',
    'delivered in s',
    'drained in s',
    '99% in s',
    'p50 ms',
    'p99 ms',
    'peak MiB',
    'returned',
    'refused/cut/throttled',
  ];
  const rows = reports.map((r) => [
    r.name,
    r.events,
    `${r.delivered}/${r.mails}`,
    r.duplicates,
    r.corrupt,
    r.rejected,
    r.failedPermanently,
    r.mailsPerSecond.toFixed(1),
    (r.mailsPerSecond / reference).toFixed(2),
    r.deliveredSeconds.toFixed(1),
    r.seconds.toFixed(1),
    r.secondsTo99.toFixed(1),
    r.p50Millis.toFixed(0),
    r.p99Millis.toFixed(0),
    r.peakRssMiB.toFixed(0),
    r.returnedMessages,
    `${r.faults.refused}/${r.faults.cut}/${r.faults.throttled}`,
  ]);
  return [header, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function goals(reports: readonly ScenarioReport[], recordsOn: boolean): string[] {
  const problems: string[] = [];
  const calm = reports.find((r) => r.name === 'function, calm');
  for (const r of reports.slice(1)) {
    if (r.delivered !== r.mails) problems.push(`${r.name}: ${r.mails - r.delivered} mails not delivered`);
    if (r.corrupt > 0) problems.push(`${r.name}: ${r.corrupt} deliveries differ from the stored mail`);
    if (r.failedPermanently > 0) problems.push(`${r.name}: ${r.failedPermanently} events failed every attempt`);
    if (r.rejected > 0) problems.push(`${r.name}: ${r.rejected} mails rejected`);
    if (recordsOn && r.duplicates > 0) problems.push(`${r.name}: ${r.duplicates} duplicates delivered`);
  }
  const throttled = reports.find((r) => r.name === 'function, KMS throttled');
  if (calm !== undefined && throttled !== undefined && throttled.mailsPerSecond < 0.5 * calm.mailsPerSecond) {
    problems.push(
      `throughput under KMS throttling is ${(throttled.mailsPerSecond / calm.mailsPerSecond).toFixed(2)} of calm (goal ≥ 0.5)`,
    );
  }
  return problems;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`load test failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
