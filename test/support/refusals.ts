/** Helpers for tests that expect the reader to refuse: the error it refused with, and bit-flipped inputs. */
import { InboundMailError } from '../../lambda/reader/errors';

/** Awaits a promise that must reject with an InboundMailError, and returns that error. */
export async function refusal(promise: Promise<unknown>): Promise<InboundMailError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(InboundMailError);
  return outcome as InboundMailError;
}

/** The reason code of a promise that must reject with an InboundMailError. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await refusal(promise)).code;
}

/** A copy of `bytes` with one bit changed (`bit` taken modulo the length in bits). */
export function flipBit(bytes: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  const index = Math.floor(bit / 8) % copy.length;
  copy[index] = (copy[index] as number) ^ (1 << (bit % 8));
  return copy;
}
