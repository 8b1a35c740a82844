/**
 * Runs the official Java client (scripts/official-clients/java, built first with
 * `mvn -B -q -f scripts/official-clients/java/pom.xml package`) over python_client.py's jobs, translated to its
 * line protocol (OfficialJavaClient.java).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ORACLE_BUCKET, type OracleWorld, type PythonJob, type PythonResult } from './oracle-world';

export const JAVA_PROJECT = join(__dirname, 'java');
const CLASSES = join(JAVA_PROJECT, 'target', 'classes');

function contextField(context: Record<string, string> | undefined): string {
  const pairs = Object.entries(context ?? {});
  return pairs.length === 0 ? '-' : pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function line(job: PythonJob): string {
  return job.op === 'put'
    ? ['put', job.key, job.plaintext, job.format, contextField(job.context)].join('\t')
    : ['get', job.key, job.output, job.policy, contextField(job.context)].join('\t');
}

export function runJavaClient(world: OracleWorld, jobs: readonly PythonJob[]): Promise<PythonResult[]> {
  if (!existsSync(CLASSES)) {
    return Promise.reject(
      new Error(`build the Java client first: mvn -B -q -f ${join(JAVA_PROJECT, 'pom.xml')} package`),
    );
  }
  const classpath = `${CLASSES}:${join(JAVA_PROJECT, 'target', 'lib', '*')}`;
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', classpath, 'oracle.OfficialJavaClient', ORACLE_BUCKET, world.keyArn], {
      env: world.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (piece: Buffer) => out.push(piece));
    child.stderr.on('data', (piece: Buffer) => err.push(piece));
    child.on('error', reject);
    child.on('close', (status) => {
      const lines = Buffer.concat(out)
        .toString('utf8')
        .split('\n')
        .filter((l) => l === 'ok' || l.startsWith('refused '));
      if (status !== 0 || lines.length !== jobs.length) {
        reject(new Error(`the Java client exited ${status}: ${Buffer.concat(err).toString('utf8').slice(0, 2000)}`));
        return;
      }
      resolve(lines.map((l) => (l === 'ok' ? { ok: true } : { ok: false, error: l.slice('refused '.length) })));
    });
    child.stdin.end(`${jobs.map(line).join('\n')}\n`);
  });
}
