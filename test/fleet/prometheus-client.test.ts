import * as http from 'http';
import { AddressInfo } from 'net';
import { BackendError } from '../../agent/errors';
import { createPrometheusClient, describeFetchError, parseQueryResponse } from '../../agent/fleet/prometheus-client';
import { freePort } from '../support/processes';

const BASE = 'http://127.0.0.1:9';

describe('parseQueryResponse', () => {
  it('returns the samples of a vector answer', () => {
    const body = JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { instance: 'a' }, value: [1, '2.5'] }] },
    });
    expect(parseQueryResponse(BASE, 200, body)).toEqual([{ metric: { instance: 'a' }, value: [1, '2.5'] }]);
  });

  it('turns a PromQL error into one BackendError line with Prometheus’ own text', () => {
    const body = JSON.stringify({
      status: 'error',
      errorType: 'bad_data',
      error: '1:5: parse error:\n unexpected "}"',
    });
    expect(() => parseQueryResponse(BASE, 400, body)).toThrow(BackendError);
    expect(() => parseQueryResponse(BASE, 400, body)).toThrow(
      'Prometheus at http://127.0.0.1:9 rejected a query (HTTP 400, bad_data): 1:5: parse error: unexpected "}"',
    );
  });

  it('says when the URL is not a Prometheus (e.g. the Pushgateway or a web page)', () => {
    expect(() => parseQueryResponse(BASE, 404, '404 page not found')).toThrow(
      /does not look like the Prometheus API: HTTP 404/,
    );
    expect(() => parseQueryResponse(BASE, 200, '{"data": 1}')).toThrow(/does not look like the Prometheus API/);
  });

  it('rejects a non-vector answer', () => {
    const body = JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '1'] } });
    expect(() => parseQueryResponse(BASE, 200, body)).toThrow(/expected an instant vector, got scalar/);
  });
});

describe('describeFetchError', () => {
  it('names a refused connection and the flag to check', () => {
    const err = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(describeFetchError(BASE, err, 10000)).toBe(
      'cannot reach Prometheus at http://127.0.0.1:9: connection refused (check --prometheus-url or HOSTPULSE_PROMETHEUS_URL)',
    );
  });

  it('names a timeout', () => {
    const err = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(describeFetchError(BASE, err, 2500)).toBe(
      'Prometheus at http://127.0.0.1:9 did not answer within 2.5s (see --query-timeout)',
    );
  });
});

describe('createPrometheusClient against real sockets', () => {
  it('maps a refused connection to a BackendError', async () => {
    const port = await freePort(); // released: nothing listens there
    const client = createPrometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    await expect(client.query('up')).rejects.toThrow(
      new BackendError(
        `cannot reach Prometheus at http://127.0.0.1:${port}: connection refused (check --prometheus-url or HOSTPULSE_PROMETHEUS_URL)`,
      ),
    );
  });

  async function serve(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer(handler);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      async close() {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      },
    };
  }

  it('sends the query as a form POST to /api/v1/query and reads the vector', async () => {
    const seen: string[] = [];
    const srv = await serve((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: { instance: 'a' }, value: [1, '7'] }] },
          }),
        );
      });
    });
    try {
      const client = createPrometheusClient({ url: `${srv.url}/`, timeoutMs: 10000 });
      await expect(client.query('up == 1')).resolves.toEqual([{ metric: { instance: 'a' }, value: [1, '7'] }]);
      expect(seen).toEqual([
        'POST /api/v1/query application/x-www-form-urlencoded;charset=UTF-8 query=up+%3D%3D+1&timeout=10s',
      ]);
    } finally {
      await srv.close();
    }
  });

  it('maps a server that never answers to a timeout', async () => {
    const srv = await serve(() => undefined); // accepts, never responds
    try {
      const client = createPrometheusClient({ url: srv.url, timeoutMs: 300 });
      await expect(client.query('up')).rejects.toThrow(
        `Prometheus at ${srv.url} did not answer within 0.3s (see --query-timeout)`,
      );
    } finally {
      await srv.close();
    }
  });
});
