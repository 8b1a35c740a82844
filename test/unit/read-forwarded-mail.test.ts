/** The consumer helper: every message shape the pipeline sends, and messages it must refuse. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/util-stream';
import { mockClient } from 'aws-sdk-client-mock';
import { ForwardedMailError, readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';

const MIME = Buffer.from('Subject: hi\r\n\r\nbody\r\n');
const SHA = createHash('sha256').update(MIME).digest('hex');
const s3Mock = mockClient(S3Client);
afterAll(() => s3Mock.restore());

it('reads a Lambda SQS event record (camel-case fields) sent inline as base64', async () => {
  const mail = await readForwardedMail({
    body: MIME.toString('base64'),
    messageAttributes: {
      ContentEncoding: { stringValue: 'base64', dataType: 'String' },
      ContentSha256: { stringValue: SHA, dataType: 'String' },
      ContentLength: { stringValue: String(MIME.length), dataType: 'Number' },
      SesMessageId: { stringValue: 'abc', dataType: 'String' },
    },
  });
  expect(mail).toEqual({ mime: MIME, sesMessageId: 'abc', delivery: 'inline' });
});

it('follows a pointer marked with the legacy SQSLargePayloadSize attribute', async () => {
  s3Mock.on(GetObjectCommand, { Bucket: 'payloads', Key: 'payloads/abc' }).resolves({
    ContentLength: MIME.length,
    Body: sdkStreamMixin(Readable.from([MIME])),
  });
  const mail = await readForwardedMail(
    {
      Body: JSON.stringify([
        'software.amazon.payloadoffloading.PayloadS3Pointer',
        { s3BucketName: 'payloads', s3Key: 'payloads/abc' },
      ]),
      MessageAttributes: {
        SQSLargePayloadSize: { DataType: 'Number', StringValue: String(MIME.length) },
        ContentSha256: { DataType: 'String', StringValue: SHA },
        ContentLength: { DataType: 'Number', StringValue: String(MIME.length) },
      },
    },
    { s3: new S3Client({ region: 'us-east-1' }), payloadBucket: 'payloads' },
  );
  expect(mail.mime.equals(MIME)).toBe(true);
  expect(mail.delivery).toBe('offloaded');
});

type RefusalCase = [string, Parameters<typeof readForwardedMail>[0], RegExp, string];

it.each<RefusalCase>([
  [
    'bytes that do not match ContentSha256',
    {
      Body: 'Subject: ho\r\n\r\nbody\r\n',
      MessageAttributes: {
        ContentSha256: { DataType: 'String', StringValue: SHA },
        ContentLength: { DataType: 'Number', StringValue: String(MIME.length) },
      },
    },
    /ContentSha256/,
    'SHA256_MISMATCH',
  ],
  [
    'a length that does not match ContentLength',
    {
      Body: MIME.toString(),
      MessageAttributes: {
        ContentSha256: { DataType: 'String', StringValue: SHA },
        ContentLength: { DataType: 'Number', StringValue: '3' },
      },
    },
    /ContentLength/,
    'LENGTH_MISMATCH',
  ],
  [
    'no ContentSha256 at all',
    { Body: MIME.toString(), MessageAttributes: {} },
    /no ContentSha256/,
    'MESSAGE_MALFORMED',
  ],
  [
    'an unknown ContentEncoding',
    {
      Body: MIME.toString(),
      MessageAttributes: {
        ContentSha256: { DataType: 'String', StringValue: SHA },
        ContentEncoding: { DataType: 'String', StringValue: 'gzip' },
        ContentLength: { DataType: 'Number', StringValue: String(MIME.length) },
      },
    },
    /unknown ContentEncoding/,
    'MESSAGE_MALFORMED',
  ],
  [
    'a pointer body that is not a pointer',
    {
      Body: '["other",{}]',
      MessageAttributes: {
        ContentSha256: { DataType: 'String', StringValue: SHA },
        ExtendedPayloadSize: { DataType: 'Number', StringValue: '1' },
        ContentLength: { DataType: 'Number', StringValue: '1' },
      },
    },
    /not an extended-client pointer/,
    'MESSAGE_MALFORMED',
  ],
  [
    'no ContentLength (the function always sends it; Python and Java refuse it too)',
    { Body: MIME.toString(), MessageAttributes: { ContentSha256: { DataType: 'String', StringValue: SHA } } },
    /no ContentLength/,
    'MESSAGE_MALFORMED',
  ],
  ...['a\nb', ' ', '!!!!', '*', 'YQ', 'YQ=', 'Y===', 'YQ==YQ=='].map(
    (junk) =>
      [
        `a base64 body that is not RFC 4648 base64 (${JSON.stringify(junk)} inside)`,
        {
          Body: `${MIME.toString('base64')}${junk}`,
          MessageAttributes: {
            ContentSha256: { DataType: 'String', StringValue: SHA },
            ContentLength: { DataType: 'Number', StringValue: String(MIME.length) },
            ContentEncoding: { DataType: 'String', StringValue: 'base64' },
          },
        },
        /not base64/,
        'MESSAGE_MALFORMED',
      ] as RefusalCase,
  ),
  [
    'a VerdictRefusal that is not one',
    {
      Body: MIME.toString(),
      MessageAttributes: {
        ContentSha256: { DataType: 'String', StringValue: SHA },
        ContentLength: { DataType: 'Number', StringValue: String(MIME.length) },
        VerdictRefusal: { DataType: 'String', StringValue: '{"action":"released","reasons":"VIRUS"}' },
      },
    },
    /VerdictRefusal is not a verdict refusal/,
    'MESSAGE_MALFORMED',
  ],
  [
    'a ContentLength that is not a number',
    {
      Body: MIME.toString(),
      MessageAttributes: {
        ContentSha256: { DataType: 'String', StringValue: SHA },
        ContentLength: { DataType: 'Number', StringValue: '1e3' },
      },
    },
    /ContentLength is not a whole number/,
    'MESSAGE_MALFORMED',
  ],
])('refuses %s, with a stable code', async (_name, message, error, code) => {
  const options = { s3: new S3Client({ region: 'us-east-1' }), payloadBucket: 'payloads' };
  await expect(readForwardedMail(message, options)).rejects.toThrow(error);
  await expect(readForwardedMail(message, options)).rejects.toBeInstanceOf(ForwardedMailError);
  await expect(readForwardedMail(message, options)).rejects.toMatchObject({ code });
});

it('returns the VerdictRefusal the function or an operator set: marked, or released with the risk accepted', async () => {
  const refusal = {
    action: 'released',
    reasons: ['VIRUS'],
    quarantinedAt: '2026-12-01T10:00:00.000Z',
    releasedAt: '2026-12-02T08:00:00.000Z',
    virusRiskAccepted: true,
  };
  const message = (value: string) => ({
    Body: MIME.toString(),
    MessageAttributes: {
      ContentSha256: { DataType: 'String', StringValue: SHA },
      ContentLength: { DataType: 'Number', StringValue: String(MIME.length) },
      VerdictRefusal: { DataType: 'String', StringValue: value },
    },
  });
  expect((await readForwardedMail(message(JSON.stringify(refusal)))).verdictRefusal).toEqual(refusal);
  const marked = { action: 'deliver-marked', reasons: ['DMARC', 'SPF'] };
  expect((await readForwardedMail(message(JSON.stringify(marked)))).verdictRefusal).toEqual(marked);
  const plain = { Body: MIME.toString(), MessageAttributes: message('{}').MessageAttributes };
  delete (plain.MessageAttributes as Record<string, unknown>).VerdictRefusal;
  expect((await readForwardedMail(plain)).verdictRefusal).toBeUndefined();
});
