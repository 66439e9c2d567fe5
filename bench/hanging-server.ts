import * as http from 'http';
import type { AddressInfo, Socket } from 'net';

/**
 * A server on 127.0.0.1 that accepts every push and never answers: the worst
 * gateway for an agent's memory (every push times out), for the soak.
 */
export async function startHangingServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  // Read the body so the agent's write completes; then say nothing.
  const server = http.createServer((req) => req.resume());
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
