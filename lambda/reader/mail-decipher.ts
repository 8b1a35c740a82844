/**
 * Streaming AES-256 decryption of a mail body that releases nothing until the whole body has authenticated.
 *
 * `decipher.update()` returns plaintext GCM has not verified yet, so every piece is kept inside this object and handed
 * out only by `final()`, after the tag checks (docs/FORMAT.md, "The rule that matters most"). On failure the withheld
 * plaintext is zeroed.
 */
import { createDecipheriv, type Decipher, type DecipherGCM } from 'node:crypto';
import { AES_CBC, type Envelope, expectedObjectLength, GCM_TAG_BYTES } from './envelope';
import { IntegrityError, PolicyError } from './errors';

/** Verified plaintext, as the pieces it was decrypted in (joining them would copy up to 40 MB for nothing). */
export interface MailPlaintext {
  /** The plaintext's pieces, in order (`Buffer.concat(chunks)` is the whole mail). */
  readonly chunks: readonly Buffer[];
  /** The plaintext's length, in bytes. */
  readonly byteLength: number;
}

const EMPTY = Buffer.alloc(0);
const CBC_FAILURE = 'AES-CBC object did not decrypt';

/** Decrypts one body fed in pieces of any size. */
export class MailDecipher {
  private readonly decipher: Decipher | DecipherGCM;
  private readonly gcm: boolean;
  private readonly chunks: Buffer[] = [];
  private plaintextBytes = 0;
  private ciphertextBytes = 0;
  /** GCM: the tag, or (length unknown) the last bytes seen, held back because they may be the tag. */
  private tail: Buffer = EMPTY;
  /** GCM: where the tag starts, when the stored size is known; undefined means hold back the last 16 bytes. */
  private readonly tagStart: number | undefined;
  private finished = false;

  /**
   * @param envelope the validated envelope (algorithm, IV, announced length)
   * @param dataKey the 32-byte content key (the data key, or V3's derived key); copied into the cipher, so the caller
   *   may zero it right after
   * @param maxObjectBytes the configured limit on stored objects; longer bodies are refused as soon as they exceed it
   * @param objectLength the stored size when known: each piece is then decrypted whole, the tag split off where it
   *   starts, with no extra call or copy per piece
   */
  constructor(
    private readonly envelope: Envelope,
    dataKey: Uint8Array,
    private readonly maxObjectBytes: number,
    objectLength?: number,
  ) {
    // AES/GCM (SES, V2) and the V3 suite 115 (AES-256-GCM under a derived key) decrypt alike.
    this.gcm = envelope.contentAlgorithm !== AES_CBC;
    this.tagStart =
      this.gcm && objectLength !== undefined && objectLength >= GCM_TAG_BYTES
        ? objectLength - GCM_TAG_BYTES
        : undefined;
    this.decipher = this.gcm
      ? createDecipheriv('aes-256-gcm', dataKey, envelope.iv, { authTagLength: GCM_TAG_BYTES })
      : createDecipheriv('aes-256-cbc', dataKey, envelope.iv);
    if (envelope.aad !== undefined) {
      (this.decipher as DecipherGCM).setAAD(envelope.aad);
    }
  }

  /** Feeds the next piece of the stored body. */
  update(piece: Uint8Array): void {
    if (this.finished) {
      throw new Error('MailDecipher.update after final');
    }
    this.ciphertextBytes += piece.length;
    try {
      checkBodyLength(this.ciphertextBytes, this.envelope, this.maxObjectBytes);
    } catch (error) {
      this.fail(error as Error);
    }
    if (!this.gcm) {
      this.push(this.decipher.update(piece));
      return;
    }
    if (this.tagStart !== undefined) {
      this.updateUpToTag(piece);
      return;
    }
    const held = this.tail.length + piece.length;
    if (held <= GCM_TAG_BYTES) {
      this.tail = Buffer.concat([this.tail, piece]);
      return;
    }
    // Everything but the last 16 bytes seen so far is ciphertext; the last 16 may be the tag.
    const release = held - GCM_TAG_BYTES;
    if (release <= this.tail.length) {
      this.push(this.decipher.update(this.tail.subarray(0, release)));
      this.tail = Buffer.concat([this.tail.subarray(release), piece]);
      return;
    }
    if (this.tail.length > 0) {
      this.push(this.decipher.update(this.tail));
    }
    const fromPiece = release - this.tail.length;
    this.push(this.decipher.update(piece.subarray(0, fromPiece)));
    // Copied: the caller may reuse its buffer for the next read.
    this.tail = Buffer.from(piece.subarray(fromPiece));
  }

  /** GCM with a known size: ciphertext goes to the cipher, the bytes from `tagStart` on are the tag. */
  private updateUpToTag(piece: Uint8Array): void {
    const tagStart = this.tagStart as number;
    const start = this.ciphertextBytes - piece.length;
    if (start + piece.length <= tagStart) {
      this.push(this.decipher.update(piece));
      return;
    }
    const cut = Math.max(0, tagStart - start);
    if (cut > 0) {
      this.push(this.decipher.update(piece.subarray(0, cut)));
    }
    /* Precondition: the body ends where its stored size says. */
    if (this.tail.length + piece.length - cut > GCM_TAG_BYTES) {
      this.fail(new IntegrityError('LENGTH_MISMATCH', 'object body is longer than its stored size'));
    }
    // Copied: the caller may reuse its buffer for the next read.
    this.tail = Buffer.concat([this.tail, piece.subarray(cut)]);
  }

  /**
   * Verifies the tag (GCM) or the padding (CBC) and the announced length, then releases the plaintext.
   * @throws IntegrityError AUTHENTICATION_FAILED, DECRYPTION_FAILED or LENGTH_MISMATCH; nothing is released
   */
  final(): MailPlaintext {
    if (this.finished) {
      throw new Error('MailDecipher.final called twice');
    }
    this.finished = true;
    if (this.gcm) {
      /* Precondition: the body holds at least the 16-byte tag. */
      if (this.tail.length !== GCM_TAG_BYTES) {
        this.fail(new IntegrityError('LENGTH_MISMATCH', 'object body is shorter than the GCM tag'));
      }
      (this.decipher as DecipherGCM).setAuthTag(this.tail);
    }
    try {
      this.push(this.decipher.final());
    } catch (cause) {
      this.fail(
        this.gcm
          ? new IntegrityError('AUTHENTICATION_FAILED', 'AES-GCM tag did not verify', { cause })
          : new IntegrityError('DECRYPTION_FAILED', CBC_FAILURE),
      );
    }
    const announced = this.envelope.plaintextLength;
    /* Precondition: the plaintext has the length x-amz-unencrypted-content-length announces. */
    if (announced !== undefined && announced !== this.plaintextBytes) {
      this.fail(
        new IntegrityError('LENGTH_MISMATCH', 'plaintext length differs from x-amz-unencrypted-content-length'),
      );
    }
    return { chunks: this.chunks, byteLength: this.plaintextBytes };
  }

  /** Zeroes and drops whatever was decrypted, e.g. when the body stream failed. */
  discard(): void {
    this.finished = true;
    for (const chunk of this.chunks) {
      chunk.fill(0);
    }
    this.chunks.length = 0;
    this.plaintextBytes = 0;
  }

  private push(plaintext: Buffer): void {
    if (plaintext.length > 0) {
      this.chunks.push(plaintext);
      this.plaintextBytes += plaintext.length;
    }
  }

  private fail(error: Error): never {
    this.discard();
    // AES/CBC is unauthenticated: telling a bad padding from a wrong length would hand whoever wrote the object a
    // padding oracle. Every CBC failure after the key is unwrapped reads the same.
    if (!this.gcm && error instanceof IntegrityError) {
      throw new IntegrityError('DECRYPTION_FAILED', CBC_FAILURE);
    }
    throw error;
  }
}

/**
 * Refuses a body, as soon as it has grown past what the envelope announces or the configured limit allows.
 * @throws IntegrityError LENGTH_MISMATCH past the announced length; PolicyError TOO_LARGE past the limit
 */
export function checkBodyLength(bytesSoFar: number, envelope: Envelope, maxObjectBytes: number): void {
  const announced = expectedObjectLength(envelope);
  /* Precondition: the body is no longer than its envelope announces. */
  if (announced !== undefined && bytesSoFar > announced) {
    throw new IntegrityError('LENGTH_MISMATCH', 'object body is longer than its envelope announces');
  }
  /* Precondition: the body is no longer than the configured maximum. */
  if (bytesSoFar > maxObjectBytes) {
    throw new PolicyError('TOO_LARGE', `object body exceeds ${maxObjectBytes} bytes`);
  }
}
