/**
 * The function with every SDK client mocked (aws-sdk-client-mock) and KMS answered by the emulator: each outcome,
 * each reason code, multi-record events, FIFO ids, the inline threshold to the byte, and bodies that are not UTF-8.
 */
import { DecryptCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { operatorDeps } from '../../cli/operator-context';
import { createHandler, RetryableRecordsError } from '../../lambda/decrypt-function/handler';
import { type ObjectCreatedRecord, processRecord } from '../../lambda/decrypt-function/process-record';
import type { SesStoredObject } from '../../local/ses-simulator';
import { CLEAN_VERDICTS } from '../../local/ses-simulator';
import { FAILURE, MAIL_BUCKET, mockedFunctionWorld, OUTPUT, PAYLOAD_BUCKET } from '../support/mocked-function';
import { cbcObject, cbcObjectWithMatdesc, s3Event, sesObject } from '../support/ses-objects';
import { watchedRead } from '../support/watched-read';

const {
  emulator,
  keyArn,
  kmsMock,
  s3Mock,
  sqsMock,
  kms,
  clients,
  stored,
  payloads,
  baseEnv,
  put,
  eventFor,
  sent,
  failureRecords,
  received,
} = mockedFunctionWorld();

const TEXT_MAIL = Buffer.from(
  'From: someone@example.org\r\nSubject: Quarterly numbers\r\n\r\nHello, world. Grüße!\r\n',
);

describe('forwarded', () => {
  it('sends a small UTF-8 mail inline as raw text with every contract attribute', async () => {
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL));
    const result = await createHandler({ env: baseEnv(), clients })(eventFor(object));
    expect(result).toEqual({ forwarded: 1, skipped: 0, rejected: 0 });
    const [message] = sent(OUTPUT);
    expect(message?.MessageBody).toBe(TEXT_MAIL.toString('utf8'));
    expect(message?.MessageAttributes).toMatchObject({
      SesMessageId: { DataType: 'String', StringValue: object.messageId },
      ContentEncoding: { StringValue: 'identity' },
      ContentLength: { DataType: 'Number', StringValue: String(TEXT_MAIL.length) },
      SourceBucket: { StringValue: MAIL_BUCKET },
      SourceKey: { StringValue: object.key },
    });
    expect(message?.MessageAttributes?.ContentSha256?.StringValue).toMatch(/^[0-9a-f]{64}$/);
    expect(message?.MessageGroupId).toBeUndefined();
    expect((await received()).equals(TEXT_MAIL)).toBe(true);
    expect(sent(FAILURE)).toHaveLength(0);
  });

  it('sends a body that is not valid UTF-8 as base64, and it arrives byte-exact', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('Subject: caf'),
      Buffer.from([0xe9, 0x00, 0xff, 0xfe]),
      Buffer.from('\r\n\r\n'),
    ]);
    put(await sesObject(kms, keyArn, latin1, 'latin1mail'));
    await createHandler({ env: baseEnv(), clients })(
      eventFor({ key: 'raw/latin1mail', body: stored.get('raw/latin1mail')?.body } as SesStoredObject),
    );
    expect(sent(OUTPUT)[0]?.MessageAttributes?.ContentEncoding?.StringValue).toBe('base64');
    expect((await received()).equals(latin1)).toBe(true);
  });

  it("sends SES's verdicts as one SesVerdicts attribute, and none for a mail SES added none to", async () => {
    const scanned = put(
      await sesObject(kms, keyArn, TEXT_MAIL, 'scanned', { ...CLEAN_VERDICTS, spam: 'GRAY', dmarc: 'FAIL' }),
    );
    const plain = put(await sesObject(kms, keyArn, TEXT_MAIL, 'unscanned'));
    await createHandler({ env: baseEnv(), clients })(eventFor(scanned, plain));
    const [withVerdicts, withNone] = sent(OUTPUT);
    expect(JSON.parse(withVerdicts?.MessageAttributes?.SesVerdicts?.StringValue as string)).toEqual({
      spam: 'GRAY',
      virus: 'PASS',
      spf: 'PASS',
      dkim: 'PASS',
      dmarc: 'FAIL',
    });
    expect(withNone?.MessageAttributes?.SesVerdicts).toBeUndefined();
    // The consumer receives the mail as SES stored it: its header block, then the mail.
    expect((await received(0)).equals(scanned.plaintext)).toBe(true);
  });

  it('sends valid UTF-8 holding characters SQS forbids as base64', async () => {
    const withControl = Buffer.from('Subject: bell\u0007 and nul\u0000\r\n\r\nx');
    const object = put(await sesObject(kms, keyArn, withControl));
    await createHandler({ env: baseEnv(), clients })(eventFor(object));
    expect(sent(OUTPUT)[0]?.MessageAttributes?.ContentEncoding?.StringValue).toBe('base64');
    expect((await received()).equals(withControl)).toBe(true);
  });

  it('always sends base64 with BODY_ENCODING=base64', async () => {
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL));
    await createHandler({ env: baseEnv({ BODY_ENCODING: 'base64' }), clients })(eventFor(object));
    expect(sent(OUTPUT)[0]?.MessageBody).toBe(TEXT_MAIL.toString('base64'));
    expect((await received()).equals(TEXT_MAIL)).toBe(true);
  });

  /**
   * The message size by SQS's published rule, written here apart from the code under test: the body's UTF-8 bytes
   * plus, for every attribute, its name, its data type and its value ("All parts of the message attribute, including
   * Name, Type, and Value, are part of the message size restriction":
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html).
   */
  function sizeBySqsRule(
    body: string,
    attributes: Record<string, { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array }>,
  ): number {
    let size = Buffer.byteLength(body, 'utf8');
    for (const [name, value] of Object.entries(attributes)) {
      size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType ?? '', 'utf8');
      size += value.BinaryValue?.length ?? Buffer.byteLength(value.StringValue ?? '', 'utf8');
    }
    return size;
  }

  it('sends inline when the message is exactly INLINE_MAX_BYTES, and offloads at one byte more', async () => {
    const mime = Buffer.from(`Subject: edge \u00e9\r\n\r\n${'x'.repeat(3000)}`);
    const object = put(await sesObject(kms, keyArn, mime, 'edgemail'));
    await createHandler({ env: baseEnv(), clients })(eventFor(object));
    const inline = sent(OUTPUT)[0];
    const attributes = inline?.MessageAttributes ?? {};
    // Six attributes, each counted; the accented body counts in UTF-8 bytes, not characters.
    expect(Object.keys(attributes)).toHaveLength(6);
    const exactBytes = sizeBySqsRule(inline?.MessageBody as string, attributes);
    expect(exactBytes).toBeGreaterThan(mime.length + 6 * 10);

    sqsMock.resetHistory();
    await createHandler({ env: baseEnv({ INLINE_MAX_BYTES: String(exactBytes) }), clients })(eventFor(object));
    expect(sent(OUTPUT)[0]?.MessageBody).toBe(mime.toString('utf8'));

    sqsMock.resetHistory();
    await createHandler({ env: baseEnv({ INLINE_MAX_BYTES: String(exactBytes - 1) }), clients })(eventFor(object));
    const pointer = sent(OUTPUT)[0];
    expect(JSON.parse(pointer?.MessageBody as string)).toEqual([
      'software.amazon.payloadoffloading.PayloadS3Pointer',
      { s3BucketName: PAYLOAD_BUCKET, s3Key: 'payloads/edgemail' },
    ]);
    expect(pointer?.MessageAttributes?.ExtendedPayloadSize).toEqual({
      DataType: 'Number',
      StringValue: String(mime.length),
    });
    expect(payloads.get('payloads/edgemail')?.equals(mime)).toBe(true);
    expect((await received()).equals(mime)).toBe(true);
  });

  it('offloads a large mail in parts under the payload prefix', async () => {
    const mime = Buffer.alloc(9 * 1024 * 1024, 'a');
    const object = put(await sesObject(kms, keyArn, mime, 'bigmail'));
    await createHandler({ env: baseEnv({ PAYLOAD_PREFIX: 'p/' }), clients })(eventFor(object));
    expect(s3Mock.commandCalls(UploadPartCommand).length).toBe(2);
    expect(payloads.get('p/bigmail')?.equals(mime)).toBe(true);
    expect((await received(0, 'p/')).equals(mime)).toBe(true);
  });

  it('gives FIFO queues a group and deduplication id derived from the SES message id', async () => {
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL, 'fifomail'));
    await createHandler({ env: baseEnv({ OUTPUT_QUEUE_URL: `${OUTPUT}.fifo` }), clients })(eventFor(object));
    const [message] = sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(message?.MessageGroupId).toBe('fifomail');
    expect(message?.MessageDeduplicationId).toBe('fifomail');
  });

  it('reads keys as S3 encodes them in events (spaces as +, other characters as %XX)', async () => {
    const object = put({ ...(await sesObject(kms, keyArn, TEXT_MAIL, 'spaced')), key: 'in box/é+/spaced' });
    const result = await createHandler({ env: baseEnv(), clients })(eventFor(object));
    expect(result.forwarded).toBe(1);
    expect(s3Mock.commandCalls(GetObjectCommand)[0]?.args[0].input.Key).toBe('in box/é+/spaced');
  });

  it('refuses AES/CBC whatever the environment says: the function has no legacy switch (SES never writes CBC)', async () => {
    const sesShaped = put(await cbcObject(kms, keyArn, TEXT_MAIL, 'cbcmail'));
    const generic = put({
      ...(await cbcObjectWithMatdesc(kms, keyArn, TEXT_MAIL, { kms_cmk_id: keyArn })),
      key: 'raw/cbcgeneric',
      messageId: 'cbcgeneric',
      plaintext: TEXT_MAIL,
    });
    const result = await createHandler({ env: baseEnv({ ALLOW_LEGACY_CBC: 'true' }), clients })(
      eventFor(sesShaped, generic),
    );
    expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 2 });
    expect(failureRecords().map((r) => r.reason)).toEqual(['LEGACY_CBC_REFUSED', 'LEGACY_CBC_REFUSED']);
    expect(sent(OUTPUT)).toHaveLength(0);
    expect(kmsMock.commandCalls(DecryptCommand)).toHaveLength(0);
  });
});

it('skips the SES setup notification without reading it', async () => {
  const result = await createHandler({ env: baseEnv(), clients })(
    s3Event([{ bucket: MAIL_BUCKET, key: 'raw/AMAZON_SES_SETUP_NOTIFICATION', size: 100 }]),
  );
  expect(result).toEqual({ forwarded: 0, skipped: 1, rejected: 0 });
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
  expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
});

it('says NOT_ENCRYPTED for an object without envelope when S3 answers AccessDenied for the missing instruction file', async () => {
  // Without s3:ListBucket (the function has none), S3 reports a missing object as AccessDenied.
  const bare = put({ ...(await sesObject(kms, keyArn, TEXT_MAIL, 'noenvelope')), metadata: {} });
  s3Mock
    .on(GetObjectCommand, { Key: 'raw/noenvelope.instruction' })
    .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client' }));
  await createHandler({ env: baseEnv(), clients })(eventFor(bare));
  expect(failureRecords().map((r) => r.reason)).toEqual(['NOT_ENCRYPTED']);
});

it('says ENVELOPE_INVALID for an instruction file that is not a JSON object', async () => {
  const object = await sesObject(kms, keyArn, TEXT_MAIL, 'badinstruction');
  put({ ...object, metadata: {} });
  stored.set('raw/badinstruction.instruction', { body: Buffer.from('["not", "an", "object"]'), metadata: {} });
  await createHandler({ env: baseEnv(), clients })(eventFor(object));
  expect(failureRecords().map((r) => r.reason)).toEqual(['ENVELOPE_INVALID']);
});

it('skips an S3 Encryption Client instruction file written under the prefix without reading it', async () => {
  const result = await createHandler({ env: baseEnv(), clients })(
    s3Event([{ bucket: MAIL_BUCKET, key: 'raw/somemessage.instruction', size: 600 }]),
  );
  expect(result).toEqual({ forwarded: 0, skipped: 1, rejected: 0 });
  expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(0);
});

describe('an event that announces another size than S3 stores', () => {
  // The event is the sender's word (whoever may send to the work queue or invoke the function); S3's is the object's.
  it.each([
    ['smaller', -1, true],
    ['larger', 1, true],
    ['the same, with no ContentLength from S3', 0, false],
  ])('%s: retried with EVENT_SIZE_MISMATCH; the body unread, no KMS call, nothing sent', async (_, by, withLength) => {
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL, 'mis-sized'));
    const read = watchedRead(object, withLength ? object.body.length : null);
    s3Mock.on(GetObjectCommand, { Key: object.key }).callsFake(read.answer);
    const event = s3Event([{ bucket: MAIL_BUCKET, key: object.key, size: object.body.length + by }]);
    const error = await createHandler({ env: baseEnv(), clients })(event).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableRecordsError);
    // The record's outcome, as the handler logs and counts it (and the operator's replay tallies it).
    const deps = operatorDeps({ env: baseEnv(), dryRun: false, clients }, true);
    expect(await processRecord(event.Records[0] as ObjectCreatedRecord, deps)).toMatchObject({
      outcome: 'retry',
      reason: 'EVENT_SIZE_MISMATCH',
    });
    expect(read.pulled()).toBe(false);
    expect(kmsMock.commandCalls(DecryptCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});

describe('rejected: one failure record, nothing on the output queue, the invocation succeeds', () => {
  type Scenario = () => Promise<{ event: ReturnType<typeof s3Event>; env?: Record<string, string> }>;
  afterEach(() => {
    kmsMock.on(DecryptCommand).callsFake((input) => emulator.decrypt(input));
  });
  const kmsAnswers =
    (name: string, answer: () => void): Scenario =>
    async () => {
      const object = put(await sesObject(kms, keyArn, TEXT_MAIL, name));
      answer();
      return { event: eventFor(object) };
    };
  const disabledKey = emulator.createKey();
  const damage =
    (name: string, change: (o: SesStoredObject) => SesStoredObject): Scenario =>
    async () => {
      const object = put(change(await sesObject(kms, keyArn, TEXT_MAIL, name)));
      return { event: eventFor(object) };
    };
  const otherKey = emulator.createKey();
  const scenarios: Array<[string, Scenario]> = [
    ['NOT_ENCRYPTED', damage('plain', (o) => ({ ...o, metadata: {} }))],
    ['ENVELOPE_INVALID', damage('noiv', (o) => ({ ...o, metadata: { ...o.metadata, 'x-amz-iv': '' } }))],
    [
      'CONTENT_ALGORITHM_UNSUPPORTED',
      damage('ctr', (o) => ({ ...o, metadata: { ...o.metadata, 'x-amz-cek-alg': 'AES/CTR/NoPadding' } })),
    ],
    [
      'WRAP_ALGORITHM_UNSUPPORTED',
      damage('aeswrap', (o) => ({ ...o, metadata: { ...o.metadata, 'x-amz-wrap-alg': 'AESWrap' } })),
    ],
    ['LEGACY_CBC_REFUSED', async () => ({ event: eventFor(put(await cbcObject(kms, keyArn, TEXT_MAIL, 'cbc1'))) })],
    [
      'CONTEXT_MISMATCH',
      damage('v2ctx', (o) => ({ ...o, metadata: { ...o.metadata, 'x-amz-wrap-alg': 'kms+context' } })),
    ],
    [
      'SOURCE_ACCOUNT_MISMATCH',
      async () => ({
        event: eventFor(put(await sesObject(kms, keyArn, TEXT_MAIL, 'acct'))),
        env: { EXPECTED_SOURCE_ACCOUNT: '999999999999' },
      }),
    ],
    [
      'RULE_NAME_NOT_ALLOWED',
      async () => ({
        event: eventFor(put(await sesObject(kms, keyArn, TEXT_MAIL, 'rule'))),
        env: { ALLOWED_RULE_NAMES: 'a,b' },
      }),
    ],
    ['MESSAGE_ID_MISMATCH', damage('moved', (o) => ({ ...o, key: 'raw/elsewhere' }))],
    [
      'TOO_LARGE',
      async () => ({
        event: eventFor(put(await sesObject(kms, keyArn, TEXT_MAIL, 'big'))),
        env: { MAX_MAIL_BYTES: '10' },
      }),
    ],
    [
      'KMS_DECRYPT_REFUSED',
      damage('ctxedit', (o) => ({
        ...o,
        metadata: {
          ...o.metadata,
          'x-amz-matdesc': (o.metadata['x-amz-matdesc'] as string).replace('"kms_cmk_id":"arn', '"kms_cmk_id":"xarn'),
        },
      })),
    ],
    [
      'KMS_WRONG_KEY',
      async () => ({
        event: eventFor(put(await sesObject(kms, keyArn, TEXT_MAIL, 'wrongkey'))),
        env: { EXPECTED_KMS_KEY_ARN: otherKey },
      }),
    ],
    [
      'AUTHENTICATION_FAILED',
      damage('flipped', (o) => {
        const body = Buffer.from(o.body);
        body[3] = (body[3] as number) ^ 0x10;
        return { ...o, body };
      }),
    ],
    [
      'KMS_ACCESS_DENIED',
      kmsAnswers('denied', () =>
        kmsMock
          .on(DecryptCommand)
          .rejects(Object.assign(new Error('x'), { name: 'AccessDeniedException', $fault: 'client' })),
      ),
    ],
    [
      'KMS_KEY_UNUSABLE',
      async () => {
        const object = put(await sesObject(kms, disabledKey, TEXT_MAIL, 'disabledkey'));
        emulator.disableKey(disabledKey);
        return { event: eventFor(object), env: { EXPECTED_KMS_KEY_ARN: disabledKey } };
      },
    ],
    [
      'DATA_KEY_INVALID',
      kmsAnswers('shortkey', () => kmsMock.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(16) })),
    ],
    ['LENGTH_MISMATCH', damage('short', (o) => ({ ...o, body: o.body.subarray(0, o.body.length - 1) }))],
    [
      'VIRUS_DETECTED',
      async () => ({
        event: eventFor(put(await sesObject(kms, keyArn, TEXT_MAIL, 'infected', { ...CLEAN_VERDICTS, virus: 'FAIL' }))),
        // The action before 0.3.0; the default now quarantines (test/unit/quarantine.test.ts).
        env: { VERDICT_ACTIONS: '{"VIRUS":"stop"}' },
      }),
    ],
    ['OBJECT_NOT_FOUND', async () => ({ event: s3Event([{ bucket: MAIL_BUCKET, key: 'raw/gone', size: 10 }]) })],
    [
      'OBJECT_UNREADABLE',
      async () => {
        // An archived object: S3 refuses the read until it is restored, which retrying does not do.
        s3Mock
          .on(GetObjectCommand, { Key: 'raw/archived' })
          .rejects(Object.assign(new Error('x'), { name: 'InvalidObjectState', $fault: 'client' }));
        return { event: s3Event([{ bucket: MAIL_BUCKET, key: 'raw/archived', size: 10 }]) };
      },
    ],
  ];

  it.each(scenarios)('%s', async (reason, scenario) => {
    const { event, env } = await scenario();
    const result = await createHandler({ env: baseEnv(env), clients })(event);
    expect(result).toEqual({ forwarded: 0, skipped: 0, rejected: 1 });
    expect(sent(OUTPUT)).toHaveLength(0);
    const records = failureRecords();
    expect(records).toHaveLength(1);
    expect(records[0]).toEqual({
      bucket: MAIL_BUCKET,
      key: event.Records[0]?.s3.object.key.replace(/\+/g, ' '),
      reason,
      errorName: expect.stringMatching(/Error$/),
    });
    expect(JSON.stringify(records[0])).not.toMatch(/example\.org|Quarterly|Hello/);
  });

  it('refuses an object S3 stores over MAX_MAIL_BYTES (its ContentLength, not the event) unread, without a KMS call', async () => {
    // Without the announced plaintext length (SES writes it; a bucket writer may not), ContentLength alone says.
    const genuine = await sesObject(kms, keyArn, TEXT_MAIL, 'huge');
    const { 'x-amz-unencrypted-content-length': _announced, ...metadata } = genuine.metadata;
    const object = put({ ...genuine, metadata });
    const read = watchedRead(object);
    s3Mock.on(GetObjectCommand, { Key: object.key }).callsFake(read.answer);
    // The largest mail one byte short of the stored size less its 16-byte tag.
    const max = String(object.body.length - 17);
    await createHandler({ env: baseEnv({ MAX_MAIL_BYTES: max }), clients })(eventFor(object));
    expect(read.pulled()).toBe(false);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(kmsMock.commandCalls(DecryptCommand)).toHaveLength(0);
    expect(failureRecords()[0]?.reason).toBe('TOO_LARGE');
  });

  it('OBJECT_ACCESS_DENIED and FORWARD_FAILED', async () => {
    s3Mock
      .on(GetObjectCommand, { Key: 'raw/denied' })
      .rejects(Object.assign(new Error('x'), { name: 'AccessDenied', $fault: 'client' }));
    await createHandler({ env: baseEnv(), clients })(s3Event([{ bucket: MAIL_BUCKET, key: 'raw/denied', size: 10 }]));
    expect(failureRecords()[0]?.reason).toBe('OBJECT_ACCESS_DENIED');

    sqsMock.reset();
    sqsMock
      .on(SendMessageCommand, { QueueUrl: OUTPUT })
      .rejects(Object.assign(new Error('x'), { name: 'InvalidMessageContents', $fault: 'client' }));
    sqsMock.on(SendMessageCommand, { QueueUrl: FAILURE }).resolves({});
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL, 'undeliverable'));
    const result = await createHandler({ env: baseEnv(), clients })(eventFor(object));
    expect(result.rejected).toBe(1);
    expect(failureRecords()[0]).toMatchObject({ reason: 'FORWARD_FAILED', errorName: 'ForwardError' });
  });
});

describe('retry', () => {
  it('fails the invocation on KMS throttling, with nothing sent anywhere', async () => {
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL, 'throttled'));
    kmsMock.on(DecryptCommand).callsFake(() => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
    });
    await expect(createHandler({ env: baseEnv(), clients })(eventFor(object))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    kmsMock.on(DecryptCommand).callsFake((input) => emulator.decrypt(input));
  });

  it.each([
    ['KMS', 'UnrecognizedClientException'],
    ['KMS', 'ExpiredTokenException'],
    ['S3', 'InvalidAccessKeyId'],
    ['S3', 'CredentialsProviderError'],
  ])('fails the invocation when %s refuses the credentials (%s), consuming nothing', async (service, name) => {
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL, `creds${name}`));
    const refusal = Object.assign(new Error('x'), { name, $fault: 'client' });
    if (service === 'KMS') {
      kmsMock.on(DecryptCommand).rejects(refusal);
    } else {
      s3Mock.on(GetObjectCommand).rejects(refusal);
    }
    await expect(createHandler({ env: baseEnv(), clients })(eventFor(object))).rejects.toBeInstanceOf(
      RetryableRecordsError,
    );
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    kmsMock.on(DecryptCommand).callsFake((input) => emulator.decrypt(input));
  });

  it('fails the invocation when SQS answers 5xx', async () => {
    const object = put(await sesObject(kms, keyArn, TEXT_MAIL, 'sqs500'));
    sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error('x'), { name: 'InternalError', $fault: 'server' }));
    await expect(createHandler({ env: baseEnv(), clients })(eventFor(object))).rejects.toThrow('1 of 1 records');
  });

  it('fails the invocation when a rejection cannot be recorded on the failure queue', async () => {
    put({ ...(await sesObject(kms, keyArn, TEXT_MAIL, 'norecord')), metadata: {} });
    sqsMock
      .on(SendMessageCommand)
      .rejects(Object.assign(new Error('x'), { name: 'ServiceUnavailable', $fault: 'server' }));
    await expect(
      createHandler({ env: baseEnv(), clients })(s3Event([{ bucket: MAIL_BUCKET, key: 'raw/norecord', size: 100 }])),
    ).rejects.toBeInstanceOf(RetryableRecordsError);
  });
});

it('gives every record of a multi-record event its outcome, and a retry does not re-send what was forwarded', async () => {
  const first = put(await sesObject(kms, keyArn, Buffer.from('Subject: 1\r\n\r\none'), 'multi1'));
  const second = put(await sesObject(kms, keyArn, Buffer.from('Subject: 2\r\n\r\ntwo'), 'multi2'));
  const third = put({
    ...(await sesObject(kms, keyArn, Buffer.from('Subject: 3\r\n\r\nthree'), 'multi3')),
    metadata: {},
  });
  const fourth = put(await sesObject(kms, keyArn, Buffer.from('Subject: 4\r\n\r\nfour'), 'multi4'));
  const event = eventFor(first, second, third, fourth);
  const handle = createHandler({ env: baseEnv(), clients });

  // The second record's KMS call is throttled once.
  let decrypts = 0;
  kmsMock.on(DecryptCommand).callsFake((input) => {
    decrypts += 1;
    if (decrypts === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    return emulator.decrypt(input);
  });
  await expect(handle(event)).rejects.toThrow('1 of 4 records');
  expect(sent(OUTPUT).map((m) => m.MessageAttributes?.SesMessageId?.StringValue)).toEqual(['multi1', 'multi4']);
  expect(failureRecords().map((r) => r.reason)).toEqual(['NOT_ENCRYPTED']);

  // Lambda retries the whole event: only the record that failed is forwarded now.
  const result = await handle(event);
  expect(result).toEqual({ forwarded: 3, skipped: 0, rejected: 1 });
  expect(sent(OUTPUT).map((m) => m.MessageAttributes?.SesMessageId?.StringValue)).toEqual([
    'multi1',
    'multi4',
    'multi2',
  ]);
  kmsMock.on(DecryptCommand).callsFake((input) => emulator.decrypt(input));
});

it('fails every invocation with a clear message when the configuration is wrong', async () => {
  await expect(createHandler({ env: { ...baseEnv(), INLINE_MAX_BYTES: '5' }, clients })(s3Event([]))).rejects.toThrow(
    'INLINE_MAX_BYTES must be a whole number from 1024 to 1048576',
  );
  await expect(createHandler({ env: {}, clients })(s3Event([]))).rejects.toThrow('is required');
});
