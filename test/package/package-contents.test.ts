/**
 * The package is what its README says: every relative link of the README (and of the docs it ships) names a file in
 * the tarball `npm pack` writes; and the package.json it ships runs no script on install that needs a file it does not
 * ship. npm runs `prepare` on `npm install` with no arguments in the package's folder and when the folder is installed
 * as a link (`npm install <folder>`, https://docs.npmjs.com/cli/v11/using-npm/scripts#life-cycle-scripts), not for a
 * tarball; a git dependency is cloned whole, so there `prepare` finds scripts/build.mjs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { sharedTarball } from '../support/packed-package';

const ROOT = join(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'package-contents-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The files `npm pack` puts in the tarball (this run's, packed once: test/support/packed-package.ts). */
function packedFiles(): string[] {
  const result = spawnSync('tar', ['tzf', sharedTarball(work)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(result.status).toBe(0);
  return result.stdout
    .split('\n')
    .filter((path) => path.startsWith('package/') && !path.endsWith('/'))
    .map((path) => path.slice('package/'.length));
}

/** The relative link targets of a Markdown file, without their #fragment, as paths from the package root. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => normalize(join(dirname(file), target.split('#')[0] as string)));
}

it('ships every file the README and its shipped docs link to', () => {
  const files = new Set(packedFiles());
  // The package's own documents (bundled dependencies ship theirs, with links of their own).
  const docs = [...files].filter((path) => path.endsWith('.md') && !path.startsWith('node_modules/'));
  expect(docs).toContain('README.md');
  const missing = docs.flatMap((doc) => relativeLinks(doc).filter((target) => !files.has(target)));
  expect(missing).toEqual([]);
}, 60_000);

it('ships a package.json whose install-time scripts need nothing the tarball lacks', () => {
  const shipped = join(work, 'shipped');
  mkdirSync(shipped);
  copyFileSync(join(ROOT, 'package.json'), join(shipped, 'package.json'));
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  for (const event of ['preinstall', 'install', 'postinstall', 'prepare']) {
    if (scripts[event] === undefined) continue;
    const run = spawnSync('npm', ['run', event, '--loglevel=error'], { cwd: shipped, encoding: 'utf8' });
    expect({ event, status: run.status, stderr: run.stderr }).toEqual({ event, status: 0, stderr: '' });
  }
});

it('still builds on prepare where scripts/build.mjs exists (a clone, a git dependency)', () => {
  const clone = join(work, 'clone');
  mkdirSync(join(clone, 'scripts'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(clone, 'package.json'));
  writeFileSync(
    join(clone, 'scripts', 'build.mjs'),
    "import { writeFileSync } from 'node:fs';\nwriteFileSync('built', '');\n",
  );
  const run = spawnSync('npm', ['run', 'prepare', '--loglevel=error'], { cwd: clone, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(existsSync(join(clone, 'built'))).toBe(true);
});

it("ships jsii's compiled consumer and reader entry points, not the development bundles `prepare` builds in a clone", () => {
  const extracted = join(work, 'extracted');
  mkdirSync(extracted);
  const untar = spawnSync('tar', ['xzf', sharedTarball(work), '-C', extracted, 'package/dist/pkg/api'], {
    encoding: 'utf8',
  });
  expect(untar.status).toBe(0);
  for (const entry of ['consumer', 'reader']) {
    const source = readFileSync(join(extracted, 'package', 'dist', 'pkg', 'api', `${entry}.js`), 'utf8');
    // tsc (jsii) requires the modules the entry re-exports; esbuild inlines them (npm pack runs prepare after prepack).
    expect(source).toMatch(/require\("\.\.\/lambda\/(consumer|reader)\//);
    expect(existsSync(join(extracted, 'package', 'dist', 'pkg', 'api', `${entry}.d.ts`))).toBe(true);
  }
}, 120_000);
