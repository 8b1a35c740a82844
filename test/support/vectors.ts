/**
 * The reference vectors in test/fixtures/vectors (written by the Ruby AWS SDK's S3 Encryption Clients; see the
 * README there for attribution) and a KMS stand-in that knows their data keys.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KmsEmulator } from '../../local/kms-emulator';

export const VECTORS_DIR = join(__dirname, '..', 'fixtures', 'vectors');
/** The V3 (key-committing) vectors, written by the Ruby SDK's EncryptionV3 client; see the README there. */
export const VECTORS_V3_DIR = join(__dirname, '..', 'fixtures', 'vectors-v3');

/** The key every vector was wrapped under. */
export const VECTOR_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

export type VectorOutcome = 'ok' | 'reject' | 'ok-only-with-legacy-cbc-allowed';

export interface Vector {
  readonly name: string;
  readonly dir: string;
  readonly object: Buffer;
  readonly metadata: Record<string, string>;
  /** The instruction file's fields, when the envelope is split (stored as `<key>.instruction`). */
  readonly instruction: Record<string, string> | undefined;
  readonly kms: {
    ciphertextBlob?: string;
    plaintext?: string;
    encryptionContext?: Record<string, string>;
    keyId?: string;
  };
  readonly outcome: VectorOutcome;
  readonly callerEncryptionContext: Record<string, string> | undefined;
  readonly plain: Buffer | undefined;
}

export function vectorNames(directory = VECTORS_DIR): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function loadVector(name: string, directory = VECTORS_DIR): Vector {
  const dir = join(directory, name);
  const json = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const expect = json('expect.json') as { outcome: VectorOutcome; callerEncryptionContext?: Record<string, string> };
  const plainPath = join(dir, 'plain.eml');
  const instructionPath = join(dir, 'instruction.json');
  return {
    name,
    dir,
    object: readFileSync(join(dir, 'object.bin')),
    metadata: json('metadata.json'),
    instruction: existsSync(instructionPath) ? json('instruction.json') : undefined,
    kms: json('kms.json'),
    outcome: expect.outcome,
    callerEncryptionContext: expect.callerEncryptionContext,
    plain: existsSync(plainPath) ? readFileSync(plainPath) : undefined,
  };
}

export function loadAllVectors(directory = VECTORS_DIR): Vector[] {
  return vectorNames(directory).map((name) => loadVector(name, directory));
}

/** Teaches a KMS emulator every vector's wrapped key, bound to its exact context and the vectors' key. */
export function addVectorKeys(emulator: KmsEmulator, vectors: readonly Vector[]): void {
  for (const vector of vectors) {
    const { ciphertextBlob, plaintext, encryptionContext, keyId } = vector.kms;
    if (ciphertextBlob === undefined || plaintext === undefined || encryptionContext === undefined) {
      continue;
    }
    emulator.addKnownCiphertext({
      ciphertextBlob: Buffer.from(ciphertextBlob, 'base64'),
      plaintext: Buffer.from(plaintext, 'base64'),
      encryptionContext,
      keyId: keyId ?? VECTOR_KEY_ARN,
    });
  }
}

/** A KMS emulator that answers for every vector's wrapped key, checking context and key exactly as KMS does. */
export function vectorKms(vectors: readonly Vector[] = loadAllVectors()): KmsEmulator {
  const emulator = new KmsEmulator();
  addVectorKeys(emulator, vectors);
  return emulator;
}
