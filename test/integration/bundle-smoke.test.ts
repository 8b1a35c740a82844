/**
 * The function as Lambda runs it: the esbuild bundle (dist/functions/decrypt/index.js, built as the stack builds it) handling an
 * S3 event in a Node process of its own, against the local emulators.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readForwardedMail } from '../../lambda/consumer/read-forwarded-mail';
import functionBundle from '../../lib/functions/function-bundle.json';
import { LOCAL_PAYLOAD_BUCKET, type LocalStack, startLocalStack } from '../../local/local-stack';
import { drainQueue, objectCreatedEvent, storeMail } from '../../local/pipeline';
import { runBundledHandler } from '../support/bundled-handler';

let stack: LocalStack;

beforeAll(async () => {
  // The bundle is built once for all tests (test/support/global-setup.ts).
  stack = await startLocalStack();
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

it('decrypts and forwards a small and a large mail, with the function environment the stack sets', async () => {
  const small = Buffer.from('Subject: bundled\r\n\r\nfrom the bundle\r\n');
  const large = Buffer.alloc(9 * 1024 * 1024, 0x42);
  const stored = [await storeMail(stack, small), await storeMail(stack, large)];
  const result = await runBundledHandler(objectCreatedEvent(stored), { ...stack.env, POWERTOOLS_LOG_LEVEL: 'WARN' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({ forwarded: 2, skipped: 0, rejected: 0 });
  const messages = await drainQueue(stack, stack.outputQueueUrl, 1);
  const mails = await Promise.all(
    messages.map((m) => readForwardedMail(m, { s3: stack.clients.s3, payloadBucket: LOCAL_PAYLOAD_BUCKET })),
  );
  const byId = Object.fromEntries(mails.map((m) => [m.sesMessageId, m]));
  expect(byId[stored[0]?.messageId as string]?.mime.equals(small)).toBe(true);
  expect(byId[stored[1]?.messageId as string]?.delivery).toBe('offloaded');
  expect(byId[stored[1]?.messageId as string]?.mime.equals(large)).toBe(true);
}, 60_000);

it('leaves out the credential providers Lambda never reaches, and loads externals only when called', () => {
  // lib/functions/function-bundle.json says why.
  const bundle = readFileSync(join(__dirname, '..', '..', 'dist', 'functions', 'decrypt', 'index.js'), 'utf8');
  expect(bundle.includes('/latest/meta-data/iam/security-credentials/')).toBe(false); // @smithy/credential-provider-imds
  expect(bundle.includes('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE')).toBe(false); // @aws-sdk/credential-provider-http
  // Each external is left as an import() behind the code that needs it, never a require() run when the bundle loads:
  // Lambda has none of them beside the bundle, only the runtime's own SDK.
  for (const name of functionBundle.external) {
    expect(bundle.includes(`require("${name}")`)).toBe(false);
  }
  for (const name of ['@smithy/credential-provider-imds', '@aws-sdk/credential-provider-http']) {
    expect(bundle.includes(`import("${name}")`)).toBe(true);
  }
});
