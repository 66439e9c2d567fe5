import * as http from 'http';
import type { AddressInfo, Socket } from 'net';
import type { Readable } from 'stream';
import { createGunzip } from 'zlib';

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Decoded, as the Pushgateway reads it (a gzip body is gunzipped). */
  body: string;
}

export type Behaviour = (req: Received, res: http.ServerResponse, n: number) => void;

/** Never answers: every push to it ends at the agent's push timeout. */
export const hang: Behaviour = () => undefined;

export interface FakeGateway {
  url: string;
  /** Every request so far (empty with `record: false`). */
  received: Received[];
  /** Requests so far. */
  requests(): number;
  /** Connections open right now. */
  openSockets(): number;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP server standing in for a misbehaving Pushgateway: it reads
 * every request (gunzipped when it says Content-Encoding: gzip, as the real
 * gateway does), records it (unless `record: false`, for long runs) and
 * answers as `behaviour` says (error, hang, reset...).
 */
export async function startFakeGateway(behaviour: Behaviour, opts: { record?: boolean } = {}): Promise<FakeGateway> {
  const record = opts.record ?? true;
  let n = 0;
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    const input: Readable = req.headers['content-encoding'] === 'gzip' ? req.pipe(createGunzip()) : req;
    input.setEncoding('utf8');
    input.on('data', (c: string) => {
      if (record) body += c;
    });
    // A body that is not gzip after all: answered like the gateway would, 400.
    input.on('error', () => {
      res.writeHead(400).end('bad gzip body');
    });
    input.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      if (record) received.push(r);
      behaviour(r, res, ++n);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    requests: () => n,
    openSockets: () => sockets.size,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
