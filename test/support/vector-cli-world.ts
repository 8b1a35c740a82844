/**
 * What the compiled-CLI tests over the reference vectors share: the vectors' KMS emulator over HTTP, an offline AWS
 * environment pointed at it with the vectors' key pinned, and a scratch folder. Call once at the top of a test file;
 * it registers its own beforeAll and afterAll, and its fields are set once they have run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KmsEmulator } from '../../local/kms-emulator';
import { startKmsEmulatorServer } from '../../local/kms-emulator-http';
import { offlineAwsEnv } from './run-cli';
import { VECTOR_KEY_ARN, type Vector, vectorKms } from './vectors';

export interface VectorCliWorld {
  kms: KmsEmulator;
  /** The CLI's environment: fake credentials, the emulator's endpoint, the vectors' key pinned. */
  env: Record<string, string>;
  /** A scratch folder, removed afterwards. */
  work: string;
}

export function vectorCliWorld(vectors: readonly Vector[], folderPrefix: string): VectorCliWorld {
  const world = {} as VectorCliWorld;
  let server: Awaited<ReturnType<typeof startKmsEmulatorServer>> | undefined;
  beforeAll(async () => {
    world.kms = vectorKms([...vectors]);
    server = await startKmsEmulatorServer(world.kms);
    world.env = offlineAwsEnv({ AWS_ENDPOINT_URL_KMS: server.url, EXPECTED_KMS_KEY_ARN: VECTOR_KEY_ARN });
    world.work = mkdtempSync(join(tmpdir(), folderPrefix));
  });
  afterAll(async () => {
    await server?.close();
    if (world.work !== undefined) rmSync(world.work, { recursive: true, force: true });
  });
  return world;
}
