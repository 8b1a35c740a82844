/**
 * The README's table of the app's context names against the construct's props (issue 19 item 6c): every context key
 * the app reads has a row, with the prop it sets, since some names differ (`fips`/`useFipsEndpoints`,
 * `macie`/`payloadDiscovery`, …).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTEXT_KEYS } from '../../lib/app/stack-context';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const section = readme.split('### Context names and construct props')[1]?.split('\n#')[0] ?? '';
const rows = new Map(
  [...section.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm)].map((m) => [m[1] as string, (m[2] as string).trim()]),
);

it.each([...CONTEXT_KEYS])('has a README row naming the prop that context key %s sets', (key) => {
  expect(rows.get(key)).toMatch(/`\w+`/);
});

it('names the props whose names differ from their context keys', () => {
  expect(rows.get('fips')).toContain('`useFipsEndpoints`');
  expect(rows.get('macie')).toContain('`payloadDiscovery`');
  expect(rows.get('requireMfa')).toContain('`requireMfaForKeyAdministration`');
  expect(rows.get('alarmTopicArn')).toContain('`alarmTopic`');
});
