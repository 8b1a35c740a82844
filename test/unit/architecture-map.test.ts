/**
 * docs/ARCHITECTURE.md is a map: every repository path it names must exist, or the map has drifted from the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAP = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
const TOP_LEVEL = /^(api|bin|cli|docs|lambda|lib|local|scripts|test)\//;

/** Every path-like word of the page: in backticks, or in a picture's lines (code blocks). */
function namedPaths(text: string): string[] {
  const words = text.match(/[A-Za-z0-9_.\-/]+/g) ?? [];
  return [...new Set(words.map((word) => word.replace(/[.,:;]+$/, '')).filter((word) => TOP_LEVEL.test(word)))];
}

it('names at least the parts a newcomer looks for', () => {
  const paths = namedPaths(MAP);
  for (const part of ['lambda/reader/', 'lambda/contract/', 'lambda/decrypt-function/', 'lambda/verdict-gate/']) {
    expect(paths).toContain(part);
  }
  expect(paths.length).toBeGreaterThan(30);
});

it.each(namedPaths(MAP))('%s exists', (path) => {
  expect(existsSync(join(ROOT, path))).toBe(true);
});

it('the test itself sees a path that does not exist', () => {
  expect(namedPaths('see `lambda/reader/no-such-file.ts`, and lib/gone/')).toEqual([
    'lambda/reader/no-such-file.ts',
    'lib/gone/',
  ]);
  expect(existsSync(join(ROOT, 'lambda/reader/no-such-file.ts'))).toBe(false);
});
