/**
 * The README's reference tables name what the code has: every alarm of `PipelineAlarms` in "Alarms", every variable
 * of the function's environment (`ENV`) in "The function's configuration" (docs/CONTRACT.md's too), every skip reason
 * the function logs in "Rejections". Each list is read from the code, not repeated here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV } from '../../lambda/contract/env-names';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const source = (path: string) => readFileSync(join(root, path), 'utf8');

/** The backticked names in the first column of the tables of the section under `heading` (README by default). */
function firstColumn(heading: string, document = readme): Set<string> {
  const section = document.split(`\n${heading}\n`)[1]?.split(/\n## /)[0] ?? '';
  const cells = [...section.matchAll(/^\| ([^|]+) \|/gm)].map((m) => m[1] as string);
  return new Set(cells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Za-z_]+)`/g)].map((m) => m[1] as string)));
}

it('lists every alarm PipelineAlarms creates under "Alarms"', () => {
  const alarms = [...source('lib/monitoring/pipeline-alarms.ts').matchAll(/'(\w+Alarm)',/g)].map((m) => m[1]);
  expect(alarms).toHaveLength(8);
  expect([...firstColumn('### Alarms')].sort()).toEqual([...alarms].sort());
});

it('lists every environment variable of the function under "The function\'s configuration"', () => {
  const rows = firstColumn("## The function's configuration");
  expect(Object.values(ENV).filter((name) => !rows.has(name))).toEqual([]);
});

it('lists every environment variable of the function under docs/CONTRACT.md "The function\'s configuration"', () => {
  const rows = firstColumn("## The function's configuration", source('docs/CONTRACT.md'));
  expect(Object.values(ENV).filter((name) => !rows.has(name))).toEqual([]);
});

it('lists every skip reason the function logs under "Rejections"', () => {
  const logged = [
    ...source('lambda/decrypt-function/process-record.ts').matchAll(/outcome: 'skipped'.*reason: '([A-Z_]+)'/g),
    ...source('lambda/decrypt-function/delivery-record.ts').matchAll(/'(ALREADY_[A-Z_]+)'/g),
  ].map((m) => m[1] as string);
  expect(logged).toHaveLength(4);
  const rows = firstColumn('## Rejections');
  expect(logged.filter((reason) => !rows.has(reason))).toEqual([]);
});

it('lists every reason code of the contract under docs/CONTRACT.md "Reason codes"', () => {
  const text = source('lambda/contract/reason-codes.ts');
  // The ReasonCode union's member types, then each type's string literals (its codes).
  const members = [...(/export type ReasonCode =([^;]+);/.exec(text)?.[1] ?? '').matchAll(/\| (\w+)/g)];
  const codes = members.flatMap(([, type]) => {
    const body = new RegExp(`export type ${type} =([\\s\\S]+?);\\n`).exec(text)?.[1] ?? '';
    return [...body.matchAll(/^\s*\|? ?'([A-Z_]+)'/gm)].map((m) => m[1] as string);
  });
  expect(members).toHaveLength(9);
  expect(codes.length).toBeGreaterThanOrEqual(28);
  const rows = firstColumn('## Reason codes', source('docs/CONTRACT.md'));
  expect(codes.filter((code) => !rows.has(code))).toEqual([]);
});
