import { KMSClient } from '@aws-sdk/client-kms';
import { readDecryptSettings } from '../lambda/decrypt-function/config';
import { decryptMail } from '../lambda/reader/decrypt-mail';
import { type OpenedSource, openFileSource } from './input-files';
import { parseCommandArgs } from './parse-command-args';
import { checkOutputPath, writeFileAtomically, writeToStream } from './plaintext-output';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';

/** The environment and output streams `decrypt` uses. */
export interface DecryptCommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `isTTY` true (as process.stdout has on a terminal) makes decrypt refuse to write the mail there unasked. */
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
}

/** Printed on standard error whenever legacy CBC reading is switched on. */
export const LEGACY_CBC_WARNING =
  'warning: --allow-legacy-cbc reads unauthenticated AES/CBC: whoever could write the object can change the mail ' +
  "without it being detected. Objects whose material description is SES's are refused all the same.";

const DECRYPT_OPTIONS = {
  output: { type: 'string', short: 'o' },
  'to-terminal': { type: 'boolean' },
  file: { type: 'string', short: 'f' },
  metadata: { type: 'string', short: 'm' },
  'kms-key-arn': { type: 'string' },
  'source-account': { type: 'string' },
  'rule-name': { type: 'string', multiple: true },
  'allow-legacy-cbc': { type: 'boolean' },
  'require-key-commitment': { type: 'boolean' },
  'encryption-context': { type: 'string', multiple: true },
  'version-id': { type: 'string' },
  'instruction-version-id': { type: 'string' },
} as const;

/** Runs `decrypt` with the given arguments. Throws `UsageError` for bad arguments; refusals propagate as thrown. */
export async function runDecryptCommand(args: readonly string[], io: DecryptCommandIo): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, DECRYPT_OPTIONS, true);
  checkOutput(values.output, values['to-terminal'] === true, io.stdout.isTTY === true);
  if (values.output !== undefined) await checkOutputPath(values.output);

  const settings = readDecryptSettings({
    ...io.env,
    ...(values['kms-key-arn'] !== undefined ? { EXPECTED_KMS_KEY_ARN: values['kms-key-arn'] } : {}),
    ...(values['source-account'] !== undefined ? { EXPECTED_SOURCE_ACCOUNT: values['source-account'] } : {}),
    ...(values['rule-name'] !== undefined ? { ALLOWED_RULE_NAMES: values['rule-name'].join(',') } : {}),
  });
  const allowLegacyCbc = values['allow-legacy-cbc'] === true;
  if (allowLegacyCbc) {
    io.stderr.write(`${LEGACY_CBC_WARNING}\n`);
  }
  const expectedKmsKeyArn = settings.expectedKmsKeyArn;
  if (expectedKmsKeyArn === undefined) {
    throw new UsageError('no KMS key given: set EXPECTED_KMS_KEY_ARN or pass --kms-key-arn');
  }
  const expectedEncryptionContext = parseContextPairs(values['encryption-context'] ?? []);

  // The pin is a key ARN (config refuses anything else), so it always names a region the key lives in.
  const region = io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? regionOfArn(expectedKmsKeyArn);
  const source = await openSource(positionals, values.file, values.metadata, region, {
    versionId: values['version-id'],
    instructionVersionId: values['instruction-version-id'],
  });
  const kms = new KMSClient({ region });
  try {
    const { plaintext } = await decryptMail(source.object, {
      kms,
      expectedKmsKeyArn,
      expectedSourceAccount: settings.expectedSourceAccount,
      allowedRuleNames: settings.allowedRuleNames,
      allowLegacyCbc,
      requireKeyCommitment: values['require-key-commitment'] === true,
      maxMailBytes: settings.maxMailBytes,
      expectedEncryptionContext,
      // From S3, the object's key is known: an SES object copied under another key is refused, as the function does.
      // Other clients' objects name no SES message id, so only SES objects are held to it.
      objectKey: source.objectKey,
      sesMailOnly: false,
    });
    if (values.output === undefined) {
      await writeToStream(io.stdout, plaintext);
    } else {
      await writeFileAtomically(values.output, plaintext);
    }
  } finally {
    source.close();
    kms.destroy();
  }
}

/**
 * A mail's bytes reach a terminal raw, escape sequences included (they can retitle it, clear it, or on some terminals
 * write files or answer back as typed input), so standard output that is a terminal takes the mail only when asked.
 * @throws UsageError for a terminal without --to-terminal, and for --to-terminal with -o
 */
function checkOutput(output: string | undefined, toTerminal: boolean, stdoutIsTerminal: boolean): void {
  if (toTerminal && output !== undefined) {
    throw new UsageError('--to-terminal and -o exclude each other: give one');
  }
  if (output === undefined && stdoutIsTerminal && !toTerminal) {
    throw new UsageError(
      'standard output is a terminal, and a mail written to it raw can drive it with escape sequences: give -o FILE, ' +
        'or --to-terminal to show it here anyway',
    );
  }
}

/** Which version of the object and of its instruction file to read (versioned buckets). */
interface S3Versions {
  readonly versionId?: string;
  readonly instructionVersionId?: string;
}

async function openSource(
  positionals: readonly string[],
  file: string | undefined,
  metadataFile: string | undefined,
  region: string | undefined,
  versions: S3Versions,
): Promise<OpenedSource> {
  if (file !== undefined || metadataFile !== undefined) {
    if (positionals.length > 0 || file === undefined || metadataFile === undefined) {
      throw new UsageError('give either s3://BUCKET/KEY, or both --file and --metadata');
    }
    if (versions.versionId !== undefined || versions.instructionVersionId !== undefined) {
      throw new UsageError('--version-id and --instruction-version-id apply to s3:// sources only');
    }
    return openFileSource(file, metadataFile);
  }
  if (positionals.length !== 1) {
    throw new UsageError('give one s3://BUCKET/KEY, or --file and --metadata');
  }
  return openS3Source(parseS3Uri(positionals[0] as string), region, versions);
}

async function openS3Source(
  location: { bucket: string; key: string },
  region: string | undefined,
  versions: S3Versions,
): Promise<OpenedSource> {
  // Loaded only for s3:// sources: file decryption does not pay for the S3 client's start-up.
  const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
  const { loadInstructionFile } = await import('../lambda/reader/instruction-file');
  const s3 = new S3Client({ region });
  let response: import('@aws-sdk/client-s3').GetObjectCommandOutput;
  try {
    response = await s3.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: versions.versionId }),
    );
  } catch (error) {
    s3.destroy();
    const name = (error as { name?: unknown }).name;
    if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NoSuchVersion') {
      throw new UsageError(
        `no object s3://${escapeControls(location.bucket)}/${escapeControls(location.key)} (${name}): check the bucket and key`,
        { cause: error },
      );
    }
    throw error;
  }
  const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
  if (body === undefined) {
    throw new Error('S3 returned no body');
  }
  const loadInstruction = () => loadInstructionFile(s3, location.bucket, location.key, versions.instructionVersionId);
  return {
    objectKey: location.key,
    object: {
      metadata: response.Metadata ?? {},
      body,
      contentLength: response.ContentLength,
      loadInstructionFile: loadInstruction,
    },
    close: () => {
      body.destroy?.();
      s3.destroy();
    },
  };
}

/** Splits `s3://bucket/key` (the key taken literally, not URL-decoded; any character, a line break too). */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/s.exec(uri);
  if (match === null) {
    throw new UsageError('expected s3://BUCKET/KEY');
  }
  return { bucket: match[1] as string, key: match[2] as string };
}

function parseContextPairs(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) {
    return undefined;
  }
  const context: Record<string, string> = Object.create(null);
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) {
      throw new UsageError('--encryption-context takes KEY=VALUE');
    }
    const name = pair.slice(0, at);
    if (Object.hasOwn(context, name)) {
      throw new UsageError('--encryption-context names a key twice');
    }
    context[name] = pair.slice(at + 1);
  }
  return context;
}

function regionOfArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:kms:([a-z0-9-]+):/.exec(arn)?.[1];
}
