/**
 * API.md is the construct's reference as Construct Hub shows it: jsii-docgen's rendering of the jsii assembly (.jsii,
 * written by the tests' global setup through scripts/build-package.mjs). Regenerated here and compared, so a prop or
 * a doc comment changed without `npm run docgen` fails.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

it('API.md is what jsii-docgen makes of the assembly (npm run docgen rewrites it)', () => {
  const work = mkdtempSync(join(tmpdir(), 'api-md-'));
  try {
    const output = join(work, 'API.md');
    const docgen = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'jsii-docgen', 'bin', 'jsii-docgen'), '-o', output],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(docgen.stderr).toBe('');
    expect(docgen.status).toBe(0);
    expect(readFileSync(join(ROOT, 'API.md'), 'utf8')).toBe(readFileSync(output, 'utf8'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 240_000);
