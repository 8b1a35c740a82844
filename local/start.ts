/**
 * `npm start [-- mail.eml ...]`: the whole pipeline on this machine, no AWS account. Starts the emulators, then for
 * each mail: SES stores it encrypted, S3's notification goes to the work queue, the event source invokes the real
 * handler with a batch from it, the handler decrypts and forwards the mail, and a consumer reads it back and checks it
 * byte for byte.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { keepRunning } from './keep-running';
import { startLocalStack } from './local-stack';
import { type MailReport, runMail } from './pipeline';
import { quarantinedLine } from './quarantined-line';
import { CLEAN_VERDICTS, type SimulatedVerdicts } from './ses-simulator';
import { workQueueLine, workQueueSummary } from './work-queue-lines';

const USAGE = `Usage: npm start [-- [--verbose] [--keep] [mail.eml ...]]

Runs the pipeline locally: fauxqs (S3, SQS) and a KMS emulator on 127.0.0.1, the real verdict gate and handler in
between. Each mail's S3 notification goes through the work queue (batches, partial batch failures, a dead-letter
queue after the stack's receive count), as deployed. SES's scan is simulated: every mail gets PASS verdicts (SES's header block, and the receipt the gate reads).
With no mail given, sends the bundled sample mail, a generated 4 MiB one (to show the payload-bucket path), and the
sample again with a virus verdict of FAIL (a simulated verdict, no malware), which is quarantined.
With --keep the emulators keep running afterwards, with the sample mail on the output queue, and the environment a
consumer needs to read it is printed; Ctrl-C stops them.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
      keep: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const mails = positionals.length > 0 ? await readMails(positionals) : await defaultMails();

  // The function's own warnings (a quarantined mail's among them) repeat the lines below: shown with --verbose.
  process.env.POWERTOOLS_LOG_LEVEL ??= values.verbose ? 'INFO' : 'ERROR';
  process.env.POWERTOOLS_METRICS_DISABLED ??= values.verbose ? 'false' : 'true';
  process.stdout.write('Starting fauxqs (S3, SQS) and the KMS emulator on 127.0.0.1 ...\n');
  const stack = await startLocalStack();
  try {
    // The function reads its configuration and endpoints from the environment, exactly as in Lambda.
    Object.assign(process.env, stack.env);
    const { createHandler } = await import('../lambda/decrypt-function/handler');
    const { createVerdictGate } = await import('../lambda/verdict-gate/handler');
    const handler = createHandler();
    const gate = createVerdictGate();
    process.stdout.write(`KMS key ${stack.kmsKeyArn}\n\n`);

    const reports: Array<{ name: string; report?: MailReport; error?: string; expected?: MailReport['outcome'] }> = [];
    for (const mail of mails) {
      try {
        const report = await runMail(stack, handler, mail.mime, { verdicts: mail.verdicts, gate });
        reports.push({ name: mail.name, report, expected: mail.expected });
        process.stdout.write(`${formatLine(mail.name, report)}\n`);
        if (values.verbose) process.stdout.write(workQueueLine(report));
      } catch (error) {
        const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        reports.push({ name: mail.name, error: text });
        process.stdout.write(`  ✗ ${mail.name.padEnd(28)} failed: ${text}\n`);
      }
    }
    const delivered = reports.filter((r) => r.report?.outcome === 'delivered' && r.report.identical).length;
    const stopped = reports.filter((r) => r.report?.outcome === 'stopped').length;
    const rejected = reports.filter((r) => r.report?.outcome === 'rejected').length;
    const quarantined = reports.filter((r) => r.report?.outcome === 'quarantined').length;
    const failed = reports.length - delivered - stopped - rejected - quarantined;
    process.stdout.write(
      `\n${reports.length} mail(s): ${delivered} delivered byte-exact, ${quarantined} quarantined, ${stopped} stopped by the verdict gate, ${rejected} rejected, ${failed} failed.\n`,
    );
    const queue = await workQueueSummary(
      stack,
      reports.map((r) => r.report),
    );
    process.stdout.write(`${queue.line}\n`);
    // Every mail ends as expected: delivered byte-exact, or stopped where a virus verdict says so.
    const asExpected =
      queue.allThrough &&
      reports.every(
        (r) =>
          r.report !== undefined &&
          r.report.outcome === (r.expected ?? 'delivered') &&
          (r.report.outcome !== 'delivered' || r.report.identical),
      );
    if (values.keep) {
      await keepRunning(stack, handler, await readFile(join(__dirname, 'sample-mail.eml')));
    }
    return asExpected ? 0 : 1;
  } finally {
    await stack.stop();
  }
}

function formatLine(name: string, report: MailReport): string {
  const millis = `${Math.round(report.millis)} ms`.padStart(8);
  if (report.outcome === 'rejected') {
    return `  ✗ ${name.padEnd(28)} rejected: ${report.reason} ${millis}`;
  }
  if (report.outcome === 'quarantined') {
    return quarantinedLine(name, report.messageId, millis);
  }
  if (report.outcome === 'stopped') {
    return `  ■ ${name.padEnd(28)} stopped by the verdict gate (virus verdict FAIL): never stored, decrypted or delivered ${millis}`;
  }
  const path = report.delivery === 'inline' ? `inline (${report.contentEncoding})` : 'offloaded to payload bucket';
  const check = report.identical ? 'sha256 verified, byte-exact' : 'DIFFERS from what was stored';
  const verdicts =
    report.verdicts === undefined
      ? ''
      : `\n      verdicts: ${Object.entries(report.verdicts)
          .map(([name, value]) => `${name} ${value}`)
          .join(', ')}`;
  return `  ${report.identical ? '✓' : '✗'} ${name.padEnd(28)} ${formatBytes(report.bytes).padStart(10)}  ${path.padEnd(28)} ${check} ${millis}${verdicts}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** One mail to send, with the verdicts SES's scan is simulated to give it and the outcome it should have. */
interface LocalMail {
  readonly name: string;
  readonly mime: Buffer;
  readonly verdicts: SimulatedVerdicts;
  readonly expected?: MailReport['outcome'];
}

async function readMails(paths: readonly string[]): Promise<LocalMail[]> {
  // Show the path as given when two files share a name (e.g. several fixtures' plain.eml).
  const names = paths.map((path) => basename(path));
  const clash = new Set(names).size !== names.length;
  return Promise.all(
    paths.map(async (path) => ({
      name: clash ? path.slice(-28) : basename(path),
      mime: await readFile(path),
      verdicts: CLEAN_VERDICTS,
    })),
  );
}

async function defaultMails(): Promise<LocalMail[]> {
  const sample = await readFile(join(__dirname, 'sample-mail.eml'));
  const attachment = Buffer.alloc(3 * 1024 * 1024, 0x41)
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  const large = Buffer.from(
    `From: sender@example.net\r\nTo: recipient@example.com\r\nSubject: large attachment\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n`,
  );
  return [
    { name: 'sample-mail.eml', mime: sample, verdicts: CLEAN_VERDICTS },
    { name: 'generated-large.eml', mime: large, verdicts: CLEAN_VERDICTS },
    // A simulated verdict, as SES's scanner would give for the EICAR test file: no malware is involved.
    {
      name: 'sample, virus FAIL',
      mime: sample,
      verdicts: { ...CLEAN_VERDICTS, virus: 'FAIL' },
      expected: 'quarantined',
    },
  ];
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
