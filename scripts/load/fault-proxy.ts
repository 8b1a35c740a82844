/**
 * A fault-injecting HTTP proxy between the function's SDK clients and the emulators: what a storm looks like from
 * inside Lambda. Written by hand because what it injects is specific to this test: S3 and SQS refuse a share of
 * requests with a 503 (S3's `SlowDown`, SQS's `ServiceUnavailable`), the first read of each object is cut half-way
 * (the socket closes mid-body), and KMS answers every n-th call with `ThrottlingException` (HTTP 400, as KMS does).
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy breaks; every field off by default. */
export interface Faults {
  /** Refuse one S3 or SQS request in this many (deterministic: every n-th). @default 0 (never) */
  readonly refuseEvery?: number;
  /** Cut the first GET of each object half-way through its body. @default false */
  readonly cutFirstRead?: boolean;
  /** Throttle every n-th KMS call. @default 0 (never) */
  readonly kmsThrottleEvery?: number;
}

/** What the proxy did, for the report. */
export interface FaultCounts {
  refused: number;
  cut: number;
  throttled: number;
  forwarded: number;
}

export interface FaultProxy {
  /** The endpoint to give the function's S3 and SQS clients. */
  readonly awsUrl: string;
  /** The endpoint to give the function's KMS client. */
  readonly kmsUrl: string;
  readonly counts: FaultCounts;
  close(): Promise<void>;
}

/** Starts two proxies on 127.0.0.1: one before fauxqs (S3, SQS), one before the KMS emulator. */
export async function startFaultProxy(fauxqsUrl: string, kmsUrl: string, faults: Faults): Promise<FaultProxy> {
  const counts: FaultCounts = { refused: 0, cut: 0, throttled: 0, forwarded: 0 };
  const readOnce = new Set<string>();
  let awsRequests = 0;
  let kmsRequests = 0;

  const aws = createServer((req, res) => {
    awsRequests += 1;
    const refuseEvery = faults.refuseEvery ?? 0;
    if (refuseEvery > 0 && awsRequests % refuseEvery === 0) {
      counts.refused += 1;
      refuse(req, res);
      return;
    }
    const firstRead =
      faults.cutFirstRead === true && req.method === 'GET' && isObjectRead(req) && !readOnce.has(req.url ?? '');
    if (firstRead) {
      readOnce.add(req.url ?? '');
    }
    forward(req, res, fauxqsUrl, counts, firstRead);
  });
  const kms = createServer((req, res) => {
    kmsRequests += 1;
    const every = faults.kmsThrottleEvery ?? 0;
    if (every > 0 && kmsRequests % every === 0) {
      counts.throttled += 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }));
      });
      return;
    }
    forward(req, res, kmsUrl, counts, false);
  });
  const [awsPort, kmsPort] = await Promise.all([listen(aws), listen(kms)]);
  return {
    awsUrl: `http://127.0.0.1:${awsPort}`,
    kmsUrl: `http://127.0.0.1:${kmsPort}`,
    counts,
    async close() {
      await Promise.all([close(aws), close(kms)]);
    },
  };
}

/** A path-style S3 object GET (`/bucket/key`), not an SQS call or a bucket listing. */
function isObjectRead(req: IncomingMessage): boolean {
  const path = (req.url ?? '').split('?')[0] ?? '';
  return path.split('/').filter(Boolean).length >= 2 && req.headers['x-amz-target'] === undefined;
}

function refuse(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    if (req.headers['x-amz-target'] !== undefined) {
      // SQS's JSON protocol.
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'Service Unavailable' }));
      return;
    }
    res.writeHead(503, { 'content-type': 'application/xml' });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>',
    );
  });
}

function forward(req: IncomingMessage, res: ServerResponse, target: string, counts: FaultCounts, cut: boolean): void {
  const url = new URL(req.url ?? '/', target);
  const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
    counts.forwarded += 1;
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    const length = Number(answer.headers['content-length'] ?? 0);
    if (!cut || (answer.statusCode ?? 0) >= 300 || length < 2) {
      answer.pipe(res);
      return;
    }
    counts.cut += 1;
    let sent = 0;
    answer.on('data', (piece: Buffer) => {
      const room = Math.floor(length / 2) - sent;
      if (room > 0) {
        res.write(piece.subarray(0, room));
        sent += Math.min(room, piece.length);
      }
      if (sent >= Math.floor(length / 2)) {
        answer.destroy();
        res.destroy();
      }
    });
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
