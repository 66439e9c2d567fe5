import * as net from 'net';
import { HttpClient } from '../../agent/common/http-client';

/*
 * Issue #29: a keep-alive connection the backend closes while the agent writes its next request on it
 * (VictoriaMetrics' idle timeout is 1 min, a common --interval too) must not fail the push: the request
 * goes again on a new connection. A request that fails on a fresh connection is not sent twice.
 */

/** A backend that answers each connection's first request, keep-alive, and resets the connection at its second. */
async function resettingBackend(): Promise<{
  url: URL;
  connections: () => number;
  requests: () => number;
  close(): Promise<void>;
}> {
  let connections = 0;
  let requests = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let seen = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      // One whole request: headers and the Content-Length body.
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        buffered = buffered.slice(end + 4 + length);
        requests++;
        if (++seen === 2) {
          socket.resetAndDestroy();
          return;
        }
        socket.write('HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nKeep-Alive: timeout=60\r\n\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/api/v1/write`),
    connections: () => connections,
    requests: () => requests,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('HttpClient on a keep-alive connection the backend dropped', () => {
  test('the request goes again on a new connection and its answer arrives', async () => {
    const backend = await resettingBackend();
    const client = new HttpClient(backend.url, {}, {}, {});
    try {
      expect((await client.request('POST', 'first', 10_000)).status).toBe(204);
      // Written on the kept-alive connection, reset there, sent again on a new one.
      expect((await client.request('POST', 'second', 10_000)).status).toBe(204);
      expect(backend.connections()).toBe(2);
      expect(backend.requests()).toBe(3);
    } finally {
      client.close();
      await backend.close();
    }
  });

  test('a reset on a new connection is a connection error, sent once', async () => {
    const server = net.createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    let connections = 0;
    server.on('connection', () => connections++);
    const client = new HttpClient(new URL(`http://127.0.0.1:${port}/`), {}, {}, {});
    try {
      await expect(client.request('POST', 'body', 10_000)).rejects.toMatchObject({ kind: 'connection' });
      expect(connections).toBe(1);
    } finally {
      client.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
