/**
 * Watches the plaintext the decipher holds back until the tag verifies, so a test can show that a refused object
 * leaves none of it readable: every held piece is zeroed, and none was handed out.
 */
import { MailDecipher } from '../../lambda/reader/mail-decipher';

/** Starts watching; `pieces()` gives every plaintext piece the decipher held since, `stop()` ends the watch. */
export function watchHeldPlaintext() {
  const spy = jest.spyOn(MailDecipher.prototype as unknown as { push(piece: Buffer): void }, 'push');
  return {
    pieces: (): Buffer[] => spy.mock.calls.map(([piece]) => piece),
    clear: () => spy.mockClear(),
    stop: () => spy.mockRestore(),
  };
}

/** True when every byte of every piece is zero. */
export function allZero(pieces: readonly Buffer[]): boolean {
  return pieces.every((piece) => piece.every((byte) => byte === 0));
}
