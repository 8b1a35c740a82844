/**
 * The load test's mails: a busy day's mix, deterministic for a seed. Mostly 2–60 KiB, some up to 512 KiB, one in a
 * hundred between 1 and 3 MiB (the payload-bucket path); a third carry an 8-bit ISO-8859-1 body.
 */
import { randomBytes } from 'node:crypto';

/** One generated mail: its MIME and its size class, for the report. */
export interface LoadMail {
  readonly mime: Buffer;
  readonly sizeClass: 'small' | 'medium' | 'large';
}

/** A small seeded generator (mulberry32): the same seed gives the same mix on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` mails of the mix. */
export function mailMix(count: number, seed = 20261201): LoadMail[] {
  const random = seededRandom(seed);
  const mails: LoadMail[] = [];
  for (let index = 0; index < count; index += 1) {
    const roll = random();
    const [sizeClass, size] =
      roll < 0.01
        ? (['large', 1024 * 1024 + Math.floor(random() * 2 * 1024 * 1024)] as const)
        : roll < 0.05
          ? (['medium', 60 * 1024 + Math.floor(random() * 452 * 1024)] as const)
          : (['small', 2 * 1024 + Math.floor(random() * 58 * 1024)] as const);
    mails.push({ mime: mimeOf(index, size, random() < 1 / 3), sizeClass });
  }
  return mails;
}

function mimeOf(index: number, size: number, eightBit: boolean): Buffer {
  const header = Buffer.from(
    [
      'From: Load Sender <sender@load.example.org>',
      'To: inbox@mail.example.org',
      `Subject: load mail ${index}`,
      `Message-ID: <load-${index}@load.example.org>`,
      'MIME-Version: 1.0',
      `Content-Type: text/plain; charset=${eightBit ? 'iso-8859-1' : 'us-ascii'}`,
      `Content-Transfer-Encoding: ${eightBit ? '8bit' : '7bit'}`,
      '',
      '',
    ].join('\r\n'),
  );
  const body = Buffer.alloc(Math.max(0, size - header.length));
  const noise = randomBytes(body.length);
  for (let i = 0; i < body.length; i += 1) {
    // Lines of 76 characters; printable ASCII, or ISO-8859-1 letters (0xC0–0xFF) in an 8-bit mail.
    body[i] =
      i % 78 === 76
        ? 0x0d
        : i % 78 === 77
          ? 0x0a
          : eightBit && (noise[i] as number) < 48
            ? 0xc0 + ((noise[i] as number) % 64)
            : 0x20 + ((noise[i] as number) % 95);
  }
  return Buffer.concat([header, body]);
}
