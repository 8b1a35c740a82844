/**
 * A DynamoDB endpoint for the small-mail bench over the emulators (small-mail-emulators.ts): it answers every JSON
 * call (the delivery records' conditional PutItem, then UpdateItem) with `{}` at once, as DynamoDB answers a write
 * that succeeds. It runs in the bench's own process, so none of its CPU is counted against the handler measured.
 * Hand-written because no DynamoDB emulator is installed for `npm run bench` (moto needs the Python tools of
 * requirements-dev.txt); the handler's side of each call (the SDK's serialization, signing, HTTP) is the real one.
 */
import { createServer, type Server } from 'node:http';

/** A running stub: its URL (AWS_ENDPOINT_URL_DYNAMODB) and the calls it answered, by operation. */
export interface DynamoDbStub {
  readonly url: string;
  readonly calls: Map<string, number>;
  close(): Promise<void>;
}

export async function startDynamoDbStub(): Promise<DynamoDbStub> {
  const calls = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    request.resume();
    request.on('end', () => {
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
      const body = operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem' ? '{}' : null;
      if (body === null) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: operation }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': body.length });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
