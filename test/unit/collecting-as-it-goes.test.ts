/**
 * The stored body passed to the reader (lambda/decrypt-function/stored-object.ts collectingAsItGoes): with
 * --expose-gc, a collection every 2 MiB of ciphertext for large bodies; small ones, and any body without gc, are passed
 * on as they are, with nothing between them and the reader.
 */
import { collectingAsItGoes } from '../../lambda/decrypt-function/stored-object';

const MiB = 1024 * 1024;

async function* pieces(count: number, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i += 1) yield new Uint8Array(size).fill(i);
}

let collections = 0;
const withGc = (run: () => Promise<void>) => async () => {
  const global = globalThis as { gc?: () => void };
  const before = global.gc;
  global.gc = () => {
    collections += 1;
  };
  collections = 0;
  try {
    await run();
  } finally {
    global.gc = before;
  }
};

it(
  'collects after every 2 MiB of a 5 MiB body, passing each piece on unchanged',
  withGc(async () => {
    const seen: number[] = [];
    for await (const piece of collectingAsItGoes(pieces(5, MiB), 5 * MiB)) seen.push(piece[0] as number);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(collections).toBe(2);
  }),
);

it(
  'collects for a body of unknown length too',
  withGc(async () => {
    for await (const _ of collectingAsItGoes(pieces(4, MiB))) {
      // read through
    }
    expect(collections).toBe(2);
  }),
);

it(
  'hands a body under 2 MiB to the reader as it is: no generator in between, no collection',
  withGc(async () => {
    const body = pieces(3, 16 * 1024);
    expect(collectingAsItGoes(body, 48 * 1024)).toBe(body);
    expect(collections).toBe(0);
  }),
);

it('hands any body on as it is where Node runs without --expose-gc', () => {
  const body = pieces(1, 10);
  expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  expect(collectingAsItGoes(body, 5 * MiB)).toBe(body);
});
