/**
 * The files `decrypt` reads and writes, through the compiled CLI: a `--metadata` file is bounded before it is read
 * (size checked first, then at most the bound and one byte read), and the `-o` file is private (0600) whatever the
 * umask.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  createWriteStream,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../support/run-cli';
import { vectorCliWorld } from '../support/vector-cli-world';
import { loadAllVectors, type Vector } from '../support/vectors';

/** The bound on a --metadata file, written out here rather than read from the code under test. */
const BOUND = 65_536;
const vectors = loadAllVectors();
const vector = vectors.find((v) => v.name === '004-ses') as Vector;
const world = vectorCliWorld(vectors, 'cli-decrypt-files-');

const decryptWith = (metadata: string, extraEnv: Record<string, string> = {}) =>
  runCli(['decrypt', '--file', join(vector.dir, 'object.bin'), '--metadata', metadata], { ...world.env, ...extraEnv });

const tooLarge = (path: string) =>
  `ses-inbound decrypt: --metadata ${path}: larger than ${BOUND} bytes, more than any object's metadata or ` +
  "'aws s3api head-object' output; not read\n" +
  "Run 'ses-inbound decrypt --help' for its options.\n";

describe('--metadata FILE', () => {
  it('takes a file of exactly the bound (metadata padded with spaces) and refuses one byte more, exit 2', async () => {
    const json = JSON.stringify(vector.metadata);
    const atBound = join(world.work, 'at-bound.json');
    writeFileSync(atBound, json.padEnd(BOUND, ' '));
    const taken = await decryptWith(atBound);
    expect(taken.stderr).toBe('');
    expect(taken.status).toBe(0);
    expect(taken.stdout.equals(vector.plain as Buffer)).toBe(true);

    const over = join(world.work, 'over-bound.json');
    writeFileSync(over, json.padEnd(BOUND + 1, ' '));
    const refused = await decryptWith(over);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(tooLarge(over));
    expect(refused.stdout.length).toBe(0);
  });

  it('refuses a 200 MiB file from its size, without reading it into memory', async () => {
    const huge = join(world.work, 'huge.json');
    const fd = openSync(huge, 'w');
    closeSync(fd);
    execFileSync('truncate', ['-s', '200M', huge]);
    // The child reports its own peak resident memory on exit (kilobytes): VmHWM, not getrusage's maxRSS, which Linux
    // carries over exec from the parent that forked it (a jest worker of 250 MB would read as the CLI's peak).
    const report = join(world.work, 'report-rss.js');
    const rssFile = join(world.work, 'rss');
    writeFileSync(
      report,
      `process.on('exit', () => { const fs = require('node:fs'); const hwm = /VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]; fs.writeFileSync(${JSON.stringify(rssFile)}, hwm); });\n`,
    );
    const result = await decryptWith(huge, { NODE_OPTIONS: `--require ${report}` });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(tooLarge(huge));
    // Node and the CLI take about 60 MB here; reading the file would take more than 200 MB.
    expect(Number(readFileSync(rssFile, 'utf8'))).toBeLessThan(150 * 1024);
  });

  it('reads no more than the bound and a byte from a pipe, whose size is not known beforehand', async () => {
    const fifo = join(world.work, 'metadata.fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer that would go on for 4 MiB: the CLI stops reading after the bound and one byte, and closes the pipe.
    const writer = createWriteStream(fifo);
    writer.on('error', () => undefined);
    const piece = Buffer.alloc(64 * 1024, ' ');
    const writing = (async () => {
      for (let i = 0; i < 64 && !writer.destroyed; i += 1) {
        if (!writer.write(piece))
          await new Promise<void>((resolve) => writer.once('drain', () => resolve()).once('close', () => resolve()));
      }
      writer.end();
    })();
    const result = await decryptWith(fifo);
    writer.destroy();
    await writing;
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(tooLarge(fifo));
  });
});

describe('-o FILE', () => {
  it.each(['000', '022'])('is created 0600 under umask %s, replacing a world-readable file there', async (umask) => {
    const dir = mkdtempSync(join(world.work, `umask-${umask}-`));
    const output = join(dir, 'mail.eml');
    writeFileSync(output, 'an older file\n');
    chmodSync(output, 0o644);
    const result = await runCli(
      [
        'decrypt',
        '--file',
        join(vector.dir, 'object.bin'),
        '--metadata',
        join(vector.dir, 'metadata.json'),
        '-o',
        output,
      ],
      world.env,
      { umask },
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    // The temporary file is renamed into place, so the file's mode is the one it was created with.
    expect(statSync(output).mode & 0o777).toBe(0o600);
    expect(readFileSync(output).equals(vector.plain as Buffer)).toBe(true);
    expect(readdirSync(dir)).toEqual(['mail.eml']);
  });
});
