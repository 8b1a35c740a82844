/** The operator commands' progress output, on a terminal and off one. */
import { PassThrough } from 'node:stream';
import { Progress } from '../../cli/progress';

function stream(isTTY: boolean) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  s.isTTY = isTTY;
  s.columns = 100;
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return { s, text: () => Buffer.concat(chunks).toString('utf8') };
}

it('redraws one bar in place on a terminal, then ends the line', () => {
  const { s, text } = stream(true);
  const progress = new Progress(s, 'replay');
  progress.update({ done: 5, total: 10, detail: 'forwarded 5' });
  progress.update({ done: 10, total: 10, detail: 'forwarded 10' });
  progress.finish();
  expect(text()).toContain('\r\x1b[2Kreplay [############------------] 5/10  forwarded 5');
  expect(text()).toContain('[########################] 10/10  forwarded 10');
  expect(text().endsWith('\n')).toBe(true);
});

it('writes plain lines, at most one per interval, without a terminal', () => {
  const { s, text } = stream(false);
  const progress = new Progress(s, 'redrive', 60_000);
  progress.update({ done: 1, total: undefined, detail: 'forwarded 1' });
  progress.update({ done: 2, total: undefined, detail: 'forwarded 2' });
  progress.finish();
  expect(text()).toMatch(/^redrive 1 {2}forwarded 1 {2}[\d.]+\/s\n$/);
});
