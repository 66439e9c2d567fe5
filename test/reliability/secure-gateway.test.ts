import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { BCRYPT, makeCerts, PASSWORD, tlsAndAuthWebConfig, USER } from '../support/certs';
import { runCli, spawnCli } from '../support/cli';
import { freePort, spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * Production gateways are protected (`--web.config.file`): basic auth, bearer
 * proxies, TLS with a private CA and client certificates. These run the real
 * Pushgateway with a web config and the real agent against it.
 */

let f: (name: string) => string;

async function startProtectedGateway(
  webConfig: string,
  scheme: 'http' | 'https',
): Promise<{ url: string; proc: Spawned; port: number }> {
  const port = await freePort();
  const file = f(`web-${port}.yml`);
  fs.writeFileSync(file, webConfig);
  // Its own persistence file: Debian's default is shared by every gateway on the host.
  const proc = spawnTracked('prometheus-pushgateway', [
    `--web.listen-address=127.0.0.1:${port}`,
    '--push.disable-consistency-check',
    `--web.config.file=${file}`,
    `--persistence.file=${f(`persist-${port}`)}`,
  ]);
  // Readiness through the port being open: every HTTP path needs the credentials under test.
  await waitFor('protected pushgateway', async () => {
    if (proc.child.exitCode !== null) throw new Error(`pushgateway exited: ${proc.stderr()}`);
    return /Listening on|TLS is enabled|msg="Listening/.test(proc.stderr()) ? true : undefined;
  });
  return { url: `${scheme}://127.0.0.1:${port}`, proc, port };
}

/** What the gateway holds, read as the admin would: with curl and the same credentials. */
function gatewayHolds(url: string, instance: string, curlArgs: string[]): boolean {
  const out = execFileSync('curl', ['-sf', ...curlArgs, `${url}/api/v1/metrics`], { encoding: 'utf8' });
  return out.includes(`"instance":"${instance}"`);
}

beforeAll(() => {
  f = makeCerts();
});

describe('basic auth to a real Pushgateway', () => {
  const webConfig = `basic_auth_users:\n  ${USER}: ${BCRYPT}\n`;

  it('pushes with the password read from a file', async () => {
    const gw = await startProtectedGateway(webConfig, 'http');
    try {
      const res = await runCli([
        'once',
        '--pushgateway-url',
        gw.url,
        '--instance',
        'auth-ok',
        '--pushgateway-username',
        USER,
        '--pushgateway-password-file',
        f('password'),
      ]);
      expect(res.stderr).not.toContain('failed');
      expect(res.code).toBe(0);
      expect(gatewayHolds(gw.url, 'auth-ok', ['-u', `${USER}:${PASSWORD}`])).toBe(true);
    } finally {
      await gw.proc.stop();
    }
  });

  it('a wrong password is a clear backend error (exit 3 for once; run logs it and goes on)', async () => {
    const gw = await startProtectedGateway(webConfig, 'http');
    try {
      const res = await runCli([
        'once',
        '--pushgateway-url',
        gw.url,
        '--pushgateway-username',
        USER,
        '--pushgateway-password-file',
        f('wrong-password'),
      ]);
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/HTTP 401/);
    } finally {
      await gw.proc.stop();
    }
  });
});

describe('TLS to a real Pushgateway', () => {
  it('verifies the gateway with a private CA and presents a client certificate', async () => {
    const gw = await startProtectedGateway(tlsAndAuthWebConfig(f), 'https');
    const curl = [
      '--cacert',
      f('ca.crt'),
      '--cert',
      f('client.crt'),
      '--key',
      f('client.key'),
      '-u',
      `${USER}:${PASSWORD}`,
    ];
    const agent = spawnCli([
      'run',
      '--pushgateway-url',
      gw.url,
      '--interval',
      '500ms',
      '--instance',
      'tls-host',
      '--log-format',
      'json',
      '--pushgateway-ca-file',
      f('ca.crt'),
      '--pushgateway-cert-file',
      f('client.crt'),
      '--pushgateway-key-file',
      f('client.key'),
      '--pushgateway-username',
      USER,
      '--pushgateway-password-file',
      f('password'),
    ]);
    try {
      await waitFor(
        'the TLS push in the gateway',
        () => (gatewayHolds(gw.url, 'tls-host', curl) ? true : undefined),
        15000,
      );
      expect(agent.stderr()).not.toContain('push failed');
    } finally {
      await agent.stop();
    }

    // Without our CA the gateway's certificate is not trusted: a clear reason, not a crash.
    const untrusted = await runCli([
      'once',
      '--pushgateway-url',
      gw.url,
      '--pushgateway-username',
      USER,
      '--pushgateway-password-file',
      f('password'),
    ]);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toMatch(/self[- ]signed certificate|unable to (get|verify)/i);

    // Without the client certificate the gateway refuses the handshake.
    const noClientCert = await runCli([
      'once',
      '--pushgateway-url',
      gw.url,
      '--pushgateway-ca-file',
      f('ca.crt'),
      '--pushgateway-username',
      USER,
      '--pushgateway-password-file',
      f('password'),
    ]);
    expect(noClientCert.code).toBe(3);
    await gw.proc.stop();
  });
});

describe('bearer token', () => {
  it('is read from a file and sent as Authorization: Bearer', async () => {
    const { startFakeGateway } = await import('../support/fake-gateway');
    const gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
    fs.writeFileSync(f('token'), 'tok-123\n');
    try {
      const res = await runCli(['once', '--pushgateway-url', gw.url, '--pushgateway-bearer-token-file', f('token')]);
      expect(res.code).toBe(0);
      expect(gw.received[0].headers.authorization).toBe('Bearer tok-123');
    } finally {
      await gw.stop();
    }
  });
});
