/** Feeds a buffer as an async stream of pieces of a fixed size (or, with `sizes`, cycling through them). */
export async function* inPieces(data: Uint8Array, ...sizes: number[]): AsyncGenerator<Uint8Array> {
  const steps = sizes.length > 0 ? sizes : [data.length];
  let offset = 0;
  let step = 0;
  while (offset < data.length) {
    const size = Math.max(1, steps[step % steps.length] ?? data.length);
    yield data.subarray(offset, offset + size);
    offset += size;
    step += 1;
  }
}

export function joinPlaintext(plaintext: { chunks: readonly Buffer[] }): Buffer {
  return Buffer.concat(plaintext.chunks);
}

/** Feeds a buffer through one reused buffer, as a file reader that recycles its read buffer does. */
export async function* throughOneBuffer(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  const scratch = Buffer.alloc(size);
  for (let offset = 0; offset < data.length; offset += size) {
    const length = Math.min(size, data.length - offset);
    scratch.fill(0xee);
    Buffer.from(data.buffer, data.byteOffset + offset, length).copy(scratch);
    yield scratch.subarray(0, length);
  }
}
