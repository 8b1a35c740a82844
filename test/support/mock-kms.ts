/**
 * A `KMSClient` mocked with aws-sdk-client-mock whose Decrypt, Encrypt and GenerateDataKey are answered by the
 * project's KMS emulator, so unit tests get KMS's real refusals (wrong context, wrong key) without HTTP.
 */
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import type { KmsEmulator } from '../../local/kms-emulator';

export function mockKmsWith(emulator: KmsEmulator) {
  const mock = mockClient(KMSClient);
  mock.on(DecryptCommand).callsFake((input) => emulator.decrypt(input));
  mock.on(EncryptCommand).callsFake((input) => emulator.encrypt(input));
  mock.on(GenerateDataKeyCommand).callsFake((input) => emulator.generateDataKey(input));
  return mock;
}

/** A real client object for code that takes one; every call goes to the active mock. */
export function kmsClient(): KMSClient {
  return new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}
