/**
 * The Java consumer example (examples/java, the SQS Extended Client Library) for `npm run test:consumers`: built with
 * Maven from its pom.xml (`mvn -B -q`; the first build downloads the pinned dependencies into ~/.m2), then run with
 * `java` on the classpath Maven resolved.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROJECT = join(__dirname, '..', '..', 'examples', 'java');

export interface JavaExample {
  /** Runs the example over the queue with this environment, writing into outDir. */
  run(env: Record<string, string>, outDir: string): SpawnSyncReturns<string>;
  /** The example's own file naming (MailFile.path) over these ids, in outDir: a path or null each, or the error. */
  names(outDir: string, ids: readonly string[]): Array<string | null> | string;
}

/** Builds the example; returns how to run it, or the build's output when it failed. */
export function buildJavaExample(): JavaExample | string {
  const classpathFile = join(PROJECT, 'target', 'classpath.txt');
  const build = spawnSync(
    'mvn',
    ['-B', '-q', 'compile', 'dependency:build-classpath', `-Dmdep.outputFile=${classpathFile}`],
    { cwd: PROJECT, encoding: 'utf8' },
  );
  if (build.status !== 0) {
    return `mvn failed (${build.status ?? build.error?.message}):\n${build.stdout}${build.stderr}`;
  }
  const classpath = [join(PROJECT, 'target', 'classes'), readFileSync(classpathFile, 'utf8').trim()].join(':');
  return {
    run: (env, outDir) =>
      spawnSync('java', ['-cp', classpath, 'ConsumeWithExtendedClient', outDir], { encoding: 'utf8', env }),
    names(outDir, ids) {
      // Ids go in as hex (an argument cannot hold NUL); the probe prints one path or "null" per id.
      const folder = mkdtempSync(join(tmpdir(), 'java-naming-'));
      const probe = join(folder, 'NamingProbe.java');
      writeFileSync(
        probe,
        `public class NamingProbe { public static void main(String[] a) throws Exception {
           for (int i = 1; i < a.length; i++) {
             String id = new String(java.util.HexFormat.of().parseHex(a[i]), java.nio.charset.StandardCharsets.UTF_8);
             java.nio.file.Path path = MailFile.path(a[0], id);
             System.out.println(path == null ? "null" : path.toString());
           } } }\n`,
      );
      const hex = ids.map((id) => Buffer.from(id, 'utf8').toString('hex'));
      const result = spawnSync('java', ['-cp', classpath, probe, outDir, ...hex], { encoding: 'utf8' });
      rmSync(folder, { recursive: true, force: true });
      if (result.status !== 0) {
        return `${result.stdout}${result.stderr}`;
      }
      return result.stdout
        .trim()
        .split('\n')
        .map((line) => (line === 'null' ? null : line));
    },
  };
}
