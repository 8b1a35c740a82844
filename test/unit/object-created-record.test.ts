/**
 * The bounds of a record S3 writes (object-created-record.ts), at their edges: a bucket name of S3's characters and
 * length, a key of at most 1,024 bytes of UTF-8 (URL-encoded in the event), a version, sequencer or ETag of at most
 * 1,024 bytes. Whatever an event may carry past them reaches no log line, delivery record or failure record.
 */
import { encodeS3Key, isObjectCreatedRecord } from '../../lambda/decrypt-function/object-created-record';

const record = (bucket: unknown, object: Record<string, unknown>) => ({ s3: { bucket: { name: bucket }, object } });
const ok = (bucket: unknown, object: Record<string, unknown>) => isObjectCreatedRecord(record(bucket, object));

describe('bucket names', () => {
  it.each([
    'mail-bucket',
    'abc',
    'a'.repeat(63),
    'my.bucket.example',
    'dir-bucket--use1-az4--x-s3',
    'Legacy_US_East_1_Bucket',
    'b'.repeat(255),
  ])('takes %s', (bucket) => {
    expect(ok(bucket, { key: 'raw/abc' })).toBe(true);
  });

  it.each([
    ['a slash (it spelled another bucket and key)', 'mail-bucket/raw'],
    ['a space', 'mail bucket'],
    ['a control character', 'mail\nbucket'],
    ['an address', 'someone@example.org'],
    ['nothing', ''],
    ['256 characters', 'b'.repeat(256)],
    ['a number', 7],
  ])('refuses one with %s', (_, bucket) => {
    expect(ok(bucket, { key: 'raw/abc' })).toBe(false);
  });
});

describe('keys', () => {
  it('takes a key of 1,024 bytes, two-byte characters URL-encoded to 3,072 characters', () => {
    const key = encodeS3Key('é'.repeat(512));
    expect(key).toHaveLength(3072);
    expect(ok('mail-bucket', { key })).toBe(true);
  });

  it.each([
    ['1,025 bytes URL-encoded', encodeS3Key(`${'é'.repeat(512)}a`)],
    ['1,025 spaces written as +', '+'.repeat(1025)],
    ['1,025 plain characters', 'a'.repeat(1025)],
    ['a key not URL-encoded of 1,025 bytes', `%zz${'a'.repeat(1022)}`],
  ])('refuses %s', (_, key) => {
    expect(ok('mail-bucket', { key })).toBe(false);
  });

  it('takes a key not URL-encoded within the bound (it is refused later, NOT_URL_ENCODED, unread)', () => {
    expect(ok('mail-bucket', { key: '%zz' })).toBe(true);
  });
});

describe('version, sequencer and ETag', () => {
  it.each(['versionId', 'sequencer', 'eTag'])('takes a %s of 1,024 bytes and refuses one of 1,025', (field) => {
    expect(ok('mail-bucket', { key: 'k', [field]: 'x'.repeat(1024) })).toBe(true);
    expect(ok('mail-bucket', { key: 'k', [field]: 'x'.repeat(1025) })).toBe(false);
    expect(ok('mail-bucket', { key: 'k', [field]: 'é'.repeat(513) })).toBe(false);
  });
});
