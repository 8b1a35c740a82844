/**
 * The KMS emulator (kms-emulator.ts) over HTTP on 127.0.0.1, speaking KMS's JSON protocol (`X-Amz-Target:
 * TrentService.<Operation>`), so the AWS SDK, the CLI and other languages' SDKs can call it as they call KMS. The
 * access key id in the SigV4 header is read only to refuse revoked ones; signatures are not checked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type KmsEmulator, KmsEmulatorError } from './kms-emulator';

/** Starts the emulator's HTTP endpoint on 127.0.0.1. */
export async function startKmsEmulatorServer(
  emulator: KmsEmulator,
  options: { port?: number; host?: string } = {},
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    void answer(emulator, request, response);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(emulator: KmsEmulator, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const pieces: Buffer[] = [];
  for await (const piece of request) {
    pieces.push(piece as Buffer);
  }
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : '';
  let status = 200;
  let payload: Record<string, unknown>;
  // SigV4: `Authorization: AWS4-HMAC-SHA256 Credential=<access key id>/<date>/<region>/kms/aws4_request, …`.
  const accessKeyId = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
  try {
    if (accessKeyId !== undefined && emulator.isRevoked(accessKeyId)) {
      throw new KmsEmulatorError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    const body = JSON.parse(Buffer.concat(pieces).toString('utf8') || '{}') as Record<string, unknown>;
    payload = emulator.handle(operation, body);
  } catch (error) {
    const name = error instanceof KmsEmulatorError ? error.name : 'SerializationException';
    status = name === 'KMSInternalException' ? 500 : 400;
    payload = { __type: name, message: error instanceof Error ? error.message : 'bad request' };
  }
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(payload));
}
