import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { requireBuiltCli, spawnCli } from '../../support/cli';
import { BCRYPT, makeCerts, PASSWORD, USER } from '../../support/certs';
import { waitFor, type Spawned } from '../../support/processes';

/**
 * `fleet serve --web-config-file`: TLS and basic auth from the exporter-toolkit
 * file, served by the same server module as the scrape endpoint. No Prometheus
 * is needed: the page and its assets do not ask it, and the API says it is down.
 */

let serve: Spawned;
let base: string;
let ca: Buffer;

beforeAll(async () => {
  requireBuiltCli();
  const f = makeCerts();
  ca = fs.readFileSync(f('ca.crt'));
  const web = path.join(path.dirname(f('ca.crt')), 'web.yml');
  fs.writeFileSync(
    web,
    `tls_server_config:\n  cert_file: ${f('server.crt')}\n  key_file: ${f('server.key')}\nbasic_auth_users:\n  ${USER}: ${BCRYPT}\n`,
  );
  serve = spawnCli([
    'fleet',
    'serve',
    '--prometheus-url',
    'http://127.0.0.1:1',
    '--listen-address',
    '127.0.0.1:0',
    '--web-config-file',
    web,
  ]);
  base = await waitFor(
    'fleet serve to print its URL',
    () => /fleet serve: (https:\/\/127\.0\.0\.1:\d+)\//.exec(serve.stderr())?.[1],
    30000,
    100,
  );
}, 60000);

afterAll(async () => {
  await serve?.stop();
});

function get(p: string, auth?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(`${base}${p}`, { ca, auth }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

it('serves over TLS, asks for the user on every page, asset and endpoint, and lets the health probe through', async () => {
  for (const p of ['/', '/host/a', '/assets/app.js', '/api/fleet']) {
    expect({ p, status: (await get(p)).status }).toEqual({ p, status: 401 });
    expect({ p, status: (await get(p, `${USER}:wrong`)).status }).toEqual({ p, status: 401 });
  }
  expect((await get('/', `${USER}:${PASSWORD}`)).status).toBe(200);
  expect((await get('/assets/uPlot.iife.min.js', `${USER}:${PASSWORD}`)).status).toBe(200);
  const api = await get('/api/fleet', `${USER}:${PASSWORD}`);
  expect(api.status).toBe(502);
  expect(JSON.parse(api.body)).toMatchObject({ error: expect.stringMatching(/connection refused/) as string });
  expect((await get('/-/healthy')).status).toBe(200);
});
