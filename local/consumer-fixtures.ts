/**
 * Three mails that exercise every delivery a consumer meets (inline text, inline base64, offloaded to the payload
 * bucket), sent through the real handler on the local stack: the consumer examples are tested against them.
 */

import type { LocalStack } from './local-stack';
import type { S3EventHandler } from './pipeline';
import { objectCreatedEvent, storeMail } from './pipeline';
import { CLEAN_VERDICTS } from './ses-simulator';

/** What the consumer must read back, by SES message id: the bytes SES stored. */
export type ExpectedMails = Map<string, Buffer>;

/** Stores and forwards the three mails; returns what each consumer must read. */
export async function forwardConsumerFixtures(stack: LocalStack, handler: S3EventHandler): Promise<ExpectedMails> {
  const mails = [
    Buffer.from('From: a@example.org\r\nSubject: inline text\r\n\r\nGrüße, plain UTF-8.\r\n'),
    Buffer.concat([Buffer.from('Subject: latin-1\r\n\r\n'), Buffer.from([0xe9, 0xff, 0x00, 0x80])]),
    Buffer.concat([Buffer.from('Subject: large\r\n\r\n'), Buffer.alloc(300 * 1024, 0x61)]),
  ];
  const expected: ExpectedMails = new Map();
  for (const mime of mails) {
    const stored = await storeMail(stack, mime, undefined, CLEAN_VERDICTS);
    await handler(objectCreatedEvent([stored]));
    expected.set(stored.messageId, stored.plaintext);
  }
  return expected;
}
