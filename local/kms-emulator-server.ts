/**
 * `npm run kms-emulator [-- --port N] [kms.json ...]`: the project's KMS emulator as a standalone HTTP endpoint on
 * 127.0.0.1, for running the CLI (or anything using the AWS SDK) against objects without an AWS account.
 *
 * Each `kms.json` (the reference vectors' format: ciphertextBlob, plaintext, encryptionContext, keyId) makes the
 * emulator answer Decrypt for that wrapped key, exactly as KMS would: only with that context, only for that key.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { KmsEmulator } from './kms-emulator';
import { startKmsEmulatorServer } from './kms-emulator-http';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string', default: '4599' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('Usage: npm run kms-emulator -- [--port 4599] [kms.json ...]\n');
    return;
  }
  const emulator = new KmsEmulator();
  const keyArn = emulator.createKey();
  for (const path of positionals) {
    const entry = JSON.parse(await readFile(path, 'utf8')) as {
      ciphertextBlob?: string;
      plaintext?: string;
      encryptionContext?: Record<string, string>;
      keyId?: string;
    };
    if (!entry.ciphertextBlob || !entry.plaintext || !entry.encryptionContext || !entry.keyId) {
      continue;
    }
    emulator.addKnownCiphertext({
      ciphertextBlob: Buffer.from(entry.ciphertextBlob, 'base64'),
      plaintext: Buffer.from(entry.plaintext, 'base64'),
      encryptionContext: entry.encryptionContext,
      keyId: entry.keyId,
    });
  }
  const server = await startKmsEmulatorServer(emulator, { port: Number(values.port) });
  process.stdout.write(
    `KMS emulator listening on ${server.url} (key ${keyArn}; ${positionals.length} kms.json file(s) read)\n` +
      `Use it with: AWS_ENDPOINT_URL_KMS=${server.url} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local\n`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`kms-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
