/**
 * The documentation and usage texts never suggest redirecting `decrypt`'s output to a file (`… > mail.eml`): the shell
 * creates that file with the umask's permissions, often readable by everyone, where `-o FILE` creates it 0600.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TEXTS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  // The usage texts: each command's, and the CLI's own.
  'cli/usage-texts.ts',
  'cli/run-cli.ts',
];

/** A redirection of standard output to a file (`>`, `>>`, `1>`, `&>`, `>|`) or a `tee`, on a line that runs decrypt. */
const REDIRECT = /(?:^|\s)(?:[1&]?>>?|>\|)(?!=)\s*[\w./~$"'-]|\|\s*tee\b/;

/** The lines of `text` that send decrypt's output to a file by the shell. */
function redirectedDecrypts(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /\bdecrypt\b/.test(line) && REDIRECT.test(line.slice(line.search(/\bdecrypt\b/))));
}

it.each(TEXTS)('%s suggests -o, never a redirection of decrypt to a file', (path) => {
  expect(redirectedDecrypts(readFileSync(join(ROOT, path), 'utf8'))).toEqual([]);
});

it('the check sees a redirection in each spelling, and leaves -o, pipes and comparisons alone', () => {
  const redirected = [
    'so `npx ses-inbound decrypt … > mail.eml` works',
    'npx ses-inbound decrypt s3://b/k >mail.eml',
    'npm run -s cli -- decrypt --file o.bin --metadata m.json >> all.eml',
    'ses-inbound decrypt s3://b/k 1> mail.eml',
    'ses-inbound decrypt s3://b/k &> out.txt',
    'ses-inbound decrypt s3://b/k >| mail.eml',
    'ses-inbound decrypt s3://b/k | tee mail.eml',
  ];
  for (const line of redirected) {
    expect(redirectedDecrypts(line)).toEqual([line]);
  }
  const fine = [
    'npx ses-inbound decrypt s3://b/k -o mail.eml',
    'npx ses-inbound decrypt s3://b/k | grep Subject',
    'npx ses-inbound decrypt s3://b/k -o mail.eml 2> errors.log',
    '| core decrypt, 10 MiB mail | 5559 MB/s | raw AES-256-GCM 6588 MB/s (0.85x) | >= 0.90x raw | no |',
    'decrypt -> verify => deliver',
  ];
  for (const line of fine) {
    expect(redirectedDecrypts(line)).toEqual([]);
  }
});
