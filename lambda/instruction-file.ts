/**
 * Reads an S3 Encryption Client instruction file, `<key>.instruction`: the envelope of an object that carries none in
 * its metadata. SES never writes one; other S3 Encryption Clients can.
 */
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { INSTRUCTION_FILE_SUFFIX, parseJsonObject } from './envelope';
import { errorNameOf } from './errors';

/**
 * Returns the instruction file's fields, or undefined when there is none.
 *
 * A reader with GetObject but not ListBucket (the function's role) is told AccessDenied rather than NoSuchKey for a
 * missing object; both mean "no instruction file" here, since the reader may read everything under the prefix.
 * @throws EnvelopeError ENVELOPE_INVALID when the file is not a JSON object; other S3 errors pass through
 */
export async function loadInstructionFile(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${key}${INSTRUCTION_FILE_SUFFIX}` }));
    text = (await response.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    const name = errorNameOf(error);
    if (error instanceof NoSuchKey || name === 'NoSuchKey' || name === 'AccessDenied') {
      return undefined;
    }
    throw error;
  }
  /* Precondition: an instruction file is a JSON object. */
  return parseJsonObject(text, 'instruction file');
}
