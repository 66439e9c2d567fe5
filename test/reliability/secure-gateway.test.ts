import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli, spawnCli } from '../support/cli';
import { freePort, spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * Production gateways are protected (`--web.config.file`): basic auth, bearer
 * proxies, TLS with a private CA and client certificates. These run the real
 * Pushgateway with a web config and the real agent against it.
 */

// bcrypt of "hp-test-password" (cost 10), made once with bcryptjs: the Pushgateway only accepts bcrypt hashes.
const USER = 'agent';
const PASSWORD = 'hp-test-password';
const BCRYPT = '$2a$10$JT3tqWoDfCc53mx6zz5Ks.y68jt0k/6KwMAmRy5L.0fEOJmftIUyC';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-tls-'));
const f = (name: string) => path.join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });

/** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, all made by openssl now. */
function makeCerts(): void {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=hostpulse test CA', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  for (const [name, ext] of [['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'], ['client', 'extendedKeyUsage=clientAuth']]) {
    fs.writeFileSync(f(`${name}.ext`), ext + '\n');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    openssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.crt`));
  }
  fs.writeFileSync(f('password'), PASSWORD + '\n');
  fs.writeFileSync(f('wrong-password'), 'not-it\n');
}

async function startProtectedGateway(webConfig: string, scheme: 'http' | 'https'): Promise<{ url: string; proc: Spawned; port: number }> {
  const port = await freePort();
  const file = f(`web-${port}.yml`);
  fs.writeFileSync(file, webConfig);
  // Its own persistence file: Debian's default is shared by every gateway on the host.
  const proc = spawnTracked('prometheus-pushgateway', [
    `--web.listen-address=127.0.0.1:${port}`, '--push.disable-consistency-check', `--web.config.file=${file}`, `--persistence.file=${f(`persist-${port}`)}`,
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

beforeAll(makeCerts);

describe('basic auth to a real Pushgateway', () => {
  const webConfig = `basic_auth_users:\n  ${USER}: ${BCRYPT}\n`;

  it('pushes with the password read from a file', async () => {
    const gw = await startProtectedGateway(webConfig, 'http');
    try {
      const res = await runCli(['once', '--pushgateway-url', gw.url, '--instance', 'auth-ok', '--pushgateway-username', USER, '--pushgateway-password-file', f('password')]);
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
      const res = await runCli(['once', '--pushgateway-url', gw.url, '--pushgateway-username', USER, '--pushgateway-password-file', f('wrong-password')]);
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(/HTTP 401/);
    } finally {
      await gw.proc.stop();
    }
  });
});

describe('TLS to a real Pushgateway', () => {
  it('verifies the gateway with a private CA and presents a client certificate', async () => {
    const webConfig = `tls_server_config:
  cert_file: ${f('server.crt')}
  key_file: ${f('server.key')}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ${f('ca.crt')}
basic_auth_users:
  ${USER}: ${BCRYPT}
`;
    const gw = await startProtectedGateway(webConfig, 'https');
    const curl = ['--cacert', f('ca.crt'), '--cert', f('client.crt'), '--key', f('client.key'), '-u', `${USER}:${PASSWORD}`];
    const agent = spawnCli([
      'run', '--pushgateway-url', gw.url, '--interval', '500ms', '--instance', 'tls-host', '--log-format', 'json',
      '--pushgateway-ca-file', f('ca.crt'), '--pushgateway-cert-file', f('client.crt'), '--pushgateway-key-file', f('client.key'),
      '--pushgateway-username', USER, '--pushgateway-password-file', f('password'),
    ]);
    try {
      await waitFor('the TLS push in the gateway', () => (gatewayHolds(gw.url, 'tls-host', curl) ? true : undefined), 15000);
      expect(agent.stderr()).not.toContain('push failed');
    } finally {
      await agent.stop();
    }

    // Without our CA the gateway's certificate is not trusted: a clear reason, not a crash.
    const untrusted = await runCli(['once', '--pushgateway-url', gw.url, '--pushgateway-username', USER, '--pushgateway-password-file', f('password')]);
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toMatch(/self[- ]signed certificate|unable to (get|verify)/i);

    // Without the client certificate the gateway refuses the handshake.
    const noClientCert = await runCli(['once', '--pushgateway-url', gw.url, '--pushgateway-ca-file', f('ca.crt'), '--pushgateway-username', USER, '--pushgateway-password-file', f('password')]);
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
