/**
 * A small, faithful stand-in for AWS KMS symmetric keys, for tests and `npm start`.
 *
 * Written by hand because no KMS emulator exists on npm. It does what this project relies on KMS for, the way KMS
 * does it: ciphertext blobs bound to the exact encryption context (any difference is `InvalidCiphertextException`),
 * key pinning through `KeyId` (`IncorrectKeyException`), unknown keys (`NotFoundException`), and throttling on demand
 * (`ThrottlingException`, every Nth request or in bursts longer than the SDK's own retries), and refused credentials
 * for access key ids revoked on demand (`UnrecognizedClientException`, over HTTP). It does not check SigV4 signatures
 * or IAM.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { canonicalContext, type EncryptionContext, keyIdFromArn, sameContext } from './kms-identifiers';

/** A KMS encryption context (kms-identifiers.ts). */
export type { EncryptionContext } from './kms-identifiers';

/** A KMS error as the service names it. */
export class KmsEmulatorError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** A ciphertext blob made elsewhere (e.g. a reference vector) that this emulator should accept as KMS would. */
export interface KnownCiphertext {
  readonly ciphertextBlob: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly encryptionContext: EncryptionContext;
  readonly keyId: string;
}

/** Options of `KmsEmulator`. */
export interface KmsEmulatorOptions {
  readonly region?: string;
  readonly accountId?: string;
  /** Answer every Nth request with `ThrottlingException` (counting all requests). @default - never */
  readonly throttleEvery?: number;
}

interface EmulatedKey {
  readonly arn: string;
  readonly id: string;
  readonly material: Buffer;
  enabled: boolean;
}

const BLOB_MAGIC = Buffer.from('LKMS1');
const UUID_BYTES = 36;

/** In-memory KMS: keys, aliases, known ciphertexts, and the operations the project uses. */
export class KmsEmulator {
  readonly region: string;
  readonly accountId: string;
  private readonly keys = new Map<string, EmulatedKey>();
  private readonly aliases = new Map<string, string>();
  private readonly known = new Map<string, KnownCiphertext>();
  private throttleEvery: number | undefined;
  private throttleBurst = 0;
  private throttleBurstFor: string | undefined;
  private requests = 0;
  private readonly revokedAccessKeys = new Set<string>();
  /** Every request's operation name, in order (tests read it to count calls). */
  readonly calls: string[] = [];

  constructor(options: KmsEmulatorOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '111122223333';
    this.throttleEvery = options.throttleEvery;
  }

  /** Creates a symmetric key and returns its ARN; `id` fixes its UUID. */
  createKey(id: string = randomUUID()): string {
    const arn = `arn:aws:kms:${this.region}:${this.accountId}:key/${id}`;
    this.keys.set(id, { arn, id, material: randomBytes(32), enabled: true });
    return arn;
  }

  /** Points `alias/<name>` at a key; returns the alias ARN. */
  createAlias(name: string, keyArn: string): string {
    const key = this.resolveKey(keyArn);
    const aliasName = name.startsWith('alias/') ? name : `alias/${name}`;
    this.aliases.set(aliasName, key.id);
    return `arn:aws:kms:${this.region}:${this.accountId}:${aliasName}`;
  }

  /** Disables a key: further use fails with `DisabledException`. */
  disableKey(keyArn: string): void {
    this.resolveKey(keyArn).enabled = false;
  }

  /** Registers a ciphertext made elsewhere; its key ARN becomes a known key if it is not one yet. */
  addKnownCiphertext(entry: KnownCiphertext): void {
    const id = keyIdFromArn(entry.keyId);
    if (!this.keys.has(id)) {
      this.keys.set(id, { arn: entry.keyId, id, material: randomBytes(32), enabled: true });
    }
    this.known.set(Buffer.from(entry.ciphertextBlob).toString('base64'), entry);
  }

  /** Throttle every Nth request from now on (undefined: never). */
  setThrottleEvery(every: number | undefined): void {
    this.throttleEvery = every;
    this.requests = 0;
  }

  /**
   * Throttle the next `count` requests, one after another (a burst the SDK's retries cannot ride out when long); with
   * `messageId`, only Decrypts for that SES mail (its encryption context's `aws:ses:message-id`), others pass.
   */
  throttleNext(count: number, messageId?: string): void {
    this.throttleBurst = count;
    this.throttleBurstFor = messageId;
  }

  /** Answer requests signed with this access key id `UnrecognizedClientException`, as KMS does for unknown keys. */
  revokeAccessKey(accessKeyId: string): void {
    this.revokedAccessKeys.add(accessKeyId);
  }

  /** True when requests signed with this access key id are refused. */
  isRevoked(accessKeyId: string): boolean {
    return this.revokedAccessKeys.has(accessKeyId);
  }

  /** KMS `GenerateDataKey` with `KeySpec: AES_256` or `NumberOfBytes`. */
  generateDataKey(request: {
    KeyId?: string;
    EncryptionContext?: EncryptionContext;
    NumberOfBytes?: number;
    KeySpec?: string;
  }): { KeyId: string; Plaintext: Buffer; CiphertextBlob: Buffer } {
    this.count('GenerateDataKey');
    const bytes = request.NumberOfBytes ?? (request.KeySpec === 'AES_128' ? 16 : 32);
    if (!Number.isInteger(bytes) || bytes < 1 || bytes > 1024) {
      throw new KmsEmulatorError('ValidationException', 'NumberOfBytes must be between 1 and 1024');
    }
    const plaintext = randomBytes(bytes);
    const { KeyId, CiphertextBlob } = this.encrypt({ ...request, Plaintext: plaintext }, false);
    return { KeyId, Plaintext: plaintext, CiphertextBlob };
  }

  /** KMS `Encrypt`. */
  encrypt(
    request: { KeyId?: string; Plaintext?: Uint8Array; EncryptionContext?: EncryptionContext },
    counted = true,
  ): { KeyId: string; CiphertextBlob: Buffer } {
    if (counted) {
      this.count('Encrypt');
    }
    if (request.KeyId === undefined) {
      throw new KmsEmulatorError('ValidationException', 'KeyId is required');
    }
    const key = this.usableKey(request.KeyId);
    const plaintext = Buffer.from(request.Plaintext ?? []);
    if (plaintext.length === 0 || plaintext.length > 4096) {
      throw new KmsEmulatorError('ValidationException', 'Plaintext must be 1 to 4096 bytes');
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(canonicalContext(request.EncryptionContext));
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    return { KeyId: key.arn, CiphertextBlob: Buffer.concat([BLOB_MAGIC, Buffer.from(key.id, 'latin1'), iv, sealed]) };
  }

  /** KMS `Decrypt`: the context must be exactly the one the blob was made with; `KeyId`, when given, must match. */
  decrypt(request: { CiphertextBlob?: Uint8Array; EncryptionContext?: EncryptionContext; KeyId?: string }): {
    KeyId: string;
    Plaintext: Buffer;
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  } {
    this.count('Decrypt', request.EncryptionContext);
    const blob = Buffer.from(request.CiphertextBlob ?? []);
    if (blob.length === 0) {
      throw new KmsEmulatorError('ValidationException', 'CiphertextBlob is required');
    }
    const pinned = request.KeyId === undefined ? undefined : this.resolveKey(request.KeyId);

    const known = this.known.get(blob.toString('base64'));
    if (known !== undefined) {
      const key = this.resolveKey(known.keyId);
      checkPinned(pinned, key);
      this.checkEnabled(key);
      if (!sameContext(known.encryptionContext, request.EncryptionContext)) {
        throw invalidCiphertext();
      }
      return { KeyId: key.arn, Plaintext: Buffer.from(known.plaintext), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    }

    const headerBytes = BLOB_MAGIC.length + UUID_BYTES + 12;
    if (blob.length < headerBytes + 16 || !blob.subarray(0, BLOB_MAGIC.length).equals(BLOB_MAGIC)) {
      throw invalidCiphertext();
    }
    const key = this.keys.get(blob.subarray(BLOB_MAGIC.length, BLOB_MAGIC.length + UUID_BYTES).toString('latin1'));
    if (key === undefined) {
      throw invalidCiphertext();
    }
    checkPinned(pinned, key);
    this.checkEnabled(key);
    const iv = blob.subarray(BLOB_MAGIC.length + UUID_BYTES, headerBytes);
    const sealed = blob.subarray(headerBytes);
    const decipher = createDecipheriv('aes-256-gcm', key.material, iv);
    decipher.setAAD(canonicalContext(request.EncryptionContext));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    try {
      const plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
      return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    } catch {
      throw invalidCiphertext();
    }
  }

  /** Dispatches one AWS JSON 1.1 request (`X-Amz-Target: TrentService.<Operation>`). */
  handle(operation: string, body: Record<string, unknown>): Record<string, unknown> {
    const blob = (name: string): Buffer | undefined =>
      typeof body[name] === 'string' ? Buffer.from(body[name] as string, 'base64') : undefined;
    const context = body.EncryptionContext as EncryptionContext | undefined;
    const keyId = body.KeyId as string | undefined;
    switch (operation) {
      case 'Decrypt': {
        const out = this.decrypt({ CiphertextBlob: blob('CiphertextBlob'), EncryptionContext: context, KeyId: keyId });
        return { ...out, Plaintext: out.Plaintext.toString('base64') };
      }
      case 'Encrypt': {
        const out = this.encrypt({ Plaintext: blob('Plaintext'), EncryptionContext: context, KeyId: keyId });
        return {
          ...out,
          CiphertextBlob: out.CiphertextBlob.toString('base64'),
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      }
      case 'GenerateDataKey': {
        const out = this.generateDataKey({
          KeyId: keyId,
          EncryptionContext: context,
          NumberOfBytes: body.NumberOfBytes as number | undefined,
          KeySpec: body.KeySpec as string | undefined,
        });
        return {
          KeyId: out.KeyId,
          Plaintext: out.Plaintext.toString('base64'),
          CiphertextBlob: out.CiphertextBlob.toString('base64'),
        };
      }
      default:
        throw new KmsEmulatorError('UnsupportedOperationException', `${operation} is not emulated`);
    }
  }

  private count(operation: string, context?: EncryptionContext): void {
    this.calls.push(operation);
    this.requests += 1;
    const burstFor = this.throttleBurstFor;
    if (this.throttleBurst > 0 && (burstFor === undefined || context?.['aws:ses:message-id'] === burstFor)) {
      this.throttleBurst -= 1;
      throw new KmsEmulatorError('ThrottlingException', 'Rate exceeded');
    }
    if (this.throttleEvery !== undefined && this.requests % this.throttleEvery === 0) {
      throw new KmsEmulatorError('ThrottlingException', 'Rate exceeded');
    }
  }

  private usableKey(keyId: string): EmulatedKey {
    const key = this.resolveKey(keyId);
    this.checkEnabled(key);
    return key;
  }

  private checkEnabled(key: EmulatedKey): void {
    if (!key.enabled) {
      throw new KmsEmulatorError('DisabledException', `${key.arn} is disabled.`);
    }
  }

  private resolveKey(keyId: string): EmulatedKey {
    const aliasMatch = /^(?:arn:aws[\w-]*:kms:[^:]+:\d{12}:)?(alias\/.+)$/.exec(keyId);
    const id = aliasMatch?.[1] !== undefined ? this.aliases.get(aliasMatch[1]) : keyIdFromArn(keyId);
    const key = id === undefined ? undefined : this.keys.get(id);
    if (key === undefined || (keyId.startsWith('arn:') && aliasMatch === null && key.arn !== keyId)) {
      throw new KmsEmulatorError('NotFoundException', `Invalid keyId ${keyId}`);
    }
    return key;
  }
}

function checkPinned(pinned: EmulatedKey | undefined, actual: EmulatedKey): void {
  if (pinned !== undefined && pinned.id !== actual.id) {
    throw new KmsEmulatorError(
      'IncorrectKeyException',
      'The key ID in the request does not identify a CMK that can perform this operation.',
    );
  }
}

function invalidCiphertext(): KmsEmulatorError {
  return new KmsEmulatorError('InvalidCiphertextException', '');
}
