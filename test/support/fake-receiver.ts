import * as http from 'http';
import { snappyUncompress } from '../../agent/sink/remote-write/snappy';
import { decodeWriteRequest } from './write-request';
import { freePort } from './processes';

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  series: ReturnType<typeof decodeWriteRequest>;
  /** The one timestamp of the cycle this request carries. */
  timestampMs: number;
  /** The status it was answered with. */
  status: number;
  /** When it arrived (Date.now()). */
  atMs: number;
}

/**
 * A scripted remote-write receiver on 127.0.0.1: `answer(n)` picks the status
 * (and headers, body) of the n-th request (0-based); everything is recorded.
 */
export async function startFakeReceiver(
  answer: (n: number) => { status: number; body?: string; headers?: Record<string, string> } = () => ({ status: 204 }),
): Promise<{ url: string; requests: ReceivedRequest[]; close(): Promise<void> }> {
  const port = await freePort();
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let series: ReturnType<typeof decodeWriteRequest>;
      try {
        series = decodeWriteRequest(snappyUncompress(Buffer.concat(chunks)));
      } catch (err) {
        // A body that is not a WriteRequest: a real receiver answers 400, and so does this one.
        requests.push({ headers: req.headers, series: [], timestampMs: -1, status: 400, atMs: Date.now() });
        res.writeHead(400);
        res.end(`cannot decode: ${String(err)}`);
        return;
      }
      const a = answer(requests.length);
      requests.push({
        headers: req.headers,
        series,
        timestampMs: series[0]?.samples[0]?.timestampMs ?? -1,
        status: a.status,
        atMs: Date.now(),
      });
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The value of one series (by name and, optionally, one label) in a received request. */
export function valueOf(r: ReceivedRequest, name: string, label?: [string, string]): number | undefined {
  const s = r.series.find(
    (t) =>
      t.labels.some((l) => l.name === '__name__' && l.value === name) &&
      (label === undefined || t.labels.some((l) => l.name === label[0] && l.value === label[1])),
  );
  return s?.samples[0]?.value;
}
