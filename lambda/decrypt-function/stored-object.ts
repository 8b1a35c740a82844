/**
 * Reading the stored mail object from S3: its failures classified, its body passed on with garbage collected as the
 * ciphertext is consumed.
 */

import type { KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, type GetObjectCommandOutput, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { DecryptMailOptions } from '../reader/decrypt-mail';
import {
  CredentialsError,
  errorNameOf,
  isCredentialsFailure,
  isTransientFailure,
  SourceError,
  TransientError,
} from '../reader/errors';
import type { FunctionConfig } from './config';

/** What the function's configuration fixes of the reader's policy. */
export type StoredMailSettings = Pick<
  FunctionConfig,
  'expectedKmsKeyArn' | 'expectedSourceAccount' | 'allowedRuleNames' | 'maxMailBytes'
>;

/**
 * The reader's options for a stored mail, as the function decrypts it: the one place the function and the operator's
 * `quarantine release` take them from, so a release decrypts exactly as the function would.
 */
export function storedMailPolicy(
  kms: KMSClient,
  settings: StoredMailSettings,
  objectKey: string,
  objectKeyPrefix: string | readonly string[] | undefined,
): DecryptMailOptions {
  return {
    kms,
    expectedKmsKeyArn: settings.expectedKmsKeyArn,
    expectedSourceAccount: settings.expectedSourceAccount,
    allowedRuleNames: settings.allowedRuleNames,
    maxMailBytes: settings.maxMailBytes,
    objectKey,
    objectKeyPrefix,
  };
}

/** Ciphertext consumed between two collections of it (see `collectingAsItGoes`). */
const COLLECT_EVERY_BYTES = 2 * 1024 * 1024;

/**
 * Passes the stored body through, asking V8 to collect every 2 MiB so the ciphertext pieces already decrypted do not
 * pile up next to the plaintext. V8 collects external memory on its own only after it has grown by about 64 MiB, which
 * for a 40 MiB mail is the difference between about 140 and 175 MiB at peak (`npm run bench`). Active only where
 * Node runs with --expose-gc, as the stack configures the function, and for a body of 2 MiB or more (or of unknown
 * length); otherwise the body itself is returned, with no generator between it and the reader.
 * @param contentLength - the body's length as S3 gives it (`ContentLength`)
 */
export function collectingAsItGoes(body: AsyncIterable<Uint8Array>, contentLength?: number): AsyncIterable<Uint8Array> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined || (contentLength !== undefined && contentLength < COLLECT_EVERY_BYTES)) {
    return body;
  }
  return collecting(body, gc);
}

async function* collecting(body: AsyncIterable<Uint8Array>, gc: () => void): AsyncGenerator<Uint8Array> {
  let sinceCollection = 0;
  for await (const piece of body) {
    yield piece;
    sinceCollection += piece.length;
    if (sinceCollection >= COLLECT_EVERY_BYTES) {
      sinceCollection = 0;
      gc();
    }
  }
}

/**
 * Reads the stored object, at `versionId` when given (the version its event names, so a later write under the same
 * key cannot stand in for it); S3's failures become the reader's typed errors (missing, denied, transient, …).
 */
export async function getObject(
  s3: S3Client,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<GetObjectCommandOutput> {
  try {
    return await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  } catch (error) {
    throw sourceError(error);
  }
}

/** An S3 read failure as the typed error the function acts on. */
export function sourceError(error: unknown): Error {
  const name = errorNameOf(error);
  if (error instanceof NoSuchKey || name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound') {
    return new SourceError('OBJECT_NOT_FOUND', 'the stored object no longer exists', { cause: error });
  }
  if (isCredentialsFailure(error)) {
    return new CredentialsError(`AWS credentials missing or refused calling S3 GetObject (${name})`, { cause: error });
  }
  if (isTransientFailure(error)) {
    return new TransientError(`S3 GetObject failed transiently (${name})`, { cause: error });
  }
  if (name === 'AccessDenied' || name === 'Forbidden') {
    return new SourceError('OBJECT_ACCESS_DENIED', 'the function may not read the stored object', { cause: error });
  }
  return new SourceError('OBJECT_UNREADABLE', `S3 GetObject failed (${name})`, { cause: error });
}
