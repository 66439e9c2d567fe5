import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { makeCerts, PASSWORD, tlsAndAuthWebConfig, USER } from '../support/certs';
import { runCli } from '../support/cli';
import { startFakeReceiver } from '../support/fake-receiver';
import { freePort, spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * The remote-write sink takes the same auth and TLS flags as the Pushgateway
 * sink: a real Prometheus receiver behind --web.config.file (TLS with a
 * private CA and client certificates, and basic auth), and the bearer token
 * header on a scripted receiver (Prometheus' web config has no bearer tokens).
 */
const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const ONCE = [
  'once',
  '--sink',
  'remote-write',
  '--collectors',
  'host',
  '--procfs-root',
  FIXTURE_PROC,
  '--kmsg-path',
  '/nonexistent/kmsg',
];

let f: (name: string) => string;
let prom: { url: string; proc: Spawned } | undefined;

/** Prometheus as a remote-write receiver, every path behind TLS + basic auth. */
async function startProtectedReceiver(): Promise<{ url: string; proc: Spawned }> {
  const port = await freePort();
  const dir = path.dirname(f('ca.crt'));
  fs.writeFileSync(path.join(dir, 'web.yml'), tlsAndAuthWebConfig(f));
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
  const proc = spawnTracked('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.config.file=${path.join(dir, 'web.yml')}`,
    '--web.enable-remote-write-receiver',
  ]);
  // Readiness from its log: every HTTP path needs the credentials under test.
  await waitFor(
    'protected prometheus',
    () => {
      if (proc.child.exitCode !== null) throw new Error(`prometheus exited: ${proc.stderr()}`);
      return /Server is ready to receive web requests/.test(proc.stderr()) ? true : undefined;
    },
    30000,
  );
  return { url: `https://127.0.0.1:${port}`, proc };
}

/** What Prometheus holds for `instance`, read with curl and the same credentials. */
function stored(instance: string): string {
  return execFileSync(
    'curl',
    [
      '-sf',
      '--cacert',
      f('ca.crt'),
      '--cert',
      f('client.crt'),
      '--key',
      f('client.key'),
      '-u',
      `${USER}:${PASSWORD}`,
      '--data-urlencode',
      `query=hostpulse_host_memory_total_bytes{instance="${instance}"}`,
      `${prom!.url}/api/v1/query`,
    ],
    { encoding: 'utf8' },
  );
}

beforeAll(async () => {
  f = makeCerts();
  prom = await startProtectedReceiver();
}, 60000);

afterAll(async () => {
  await prom?.proc.stop();
});

describe('remote write to a receiver with TLS and basic auth', () => {
  it('verifies it with a private CA, presents a client certificate and a password read from a file', async () => {
    const res = await runCli([
      ...ONCE,
      '--remote-write-url',
      `${prom!.url}/api/v1/write`,
      '--instance',
      'rw-tls-ok',
      '--remote-write-ca-file',
      f('ca.crt'),
      '--remote-write-cert-file',
      f('client.crt'),
      '--remote-write-key-file',
      f('client.key'),
      '--remote-write-username',
      USER,
      '--remote-write-password-file',
      f('password'),
    ]);
    expect(res.stderr).not.toContain('"level":"error"');
    expect(res.code).toBe(0);
    const answer = await waitFor('the sample stored', () => {
      const out = stored('rw-tls-ok');
      return out.includes('"instance":"rw-tls-ok"') ? out : undefined;
    });
    expect(answer).toContain('"job":"hostpulse"');
  });

  it.each([
    [
      'a wrong password',
      [
        '--remote-write-ca-file',
        'ca.crt',
        '--remote-write-cert-file',
        'client.crt',
        '--remote-write-key-file',
        'client.key',
        '--remote-write-username',
        USER,
        '--remote-write-password-file',
        'wrong-password',
      ],
      /HTTP 401/,
    ],
    [
      'no client certificate',
      ['--remote-write-ca-file', 'ca.crt', '--remote-write-username', USER, '--remote-write-password-file', 'password'],
      /alert bad certificate/,
    ],
    [
      'an untrusted server',
      ['--remote-write-username', USER, '--remote-write-password-file', 'password'],
      /certificate/i,
    ],
  ])('with %s: not accepted, exit 3 with the reason', async (_what, args, reason) => {
    const withFiles = args.map((a, i) => (i > 0 && args[i - 1].endsWith('-file') ? f(a) : a));
    const res = await runCli([
      ...ONCE,
      '--remote-write-url',
      `${prom!.url}/api/v1/write`,
      '--instance',
      'rw-tls-bad',
      ...withFiles,
    ]);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(reason);
    expect(stored('rw-tls-bad')).not.toContain('"instance":"rw-tls-bad"');
  });
});

describe('remote write with a bearer token', () => {
  it('sends the token from the file as an Authorization header', async () => {
    const rx = await startFakeReceiver();
    try {
      fs.writeFileSync(f('token'), 'rw-tok-123\n');
      const res = await runCli([
        ...ONCE,
        '--remote-write-url',
        rx.url,
        '--instance',
        'rw-bearer',
        '--remote-write-bearer-token-file',
        f('token'),
      ]);
      expect(res.code).toBe(0);
      expect(rx.requests).toHaveLength(1);
      expect(rx.requests[0].headers.authorization).toBe('Bearer rw-tok-123');
    } finally {
      await rx.close();
    }
  });
});
