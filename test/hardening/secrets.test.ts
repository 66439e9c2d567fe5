import * as fs from 'fs';
import { execFileSync } from 'child_process';
import { makeCerts, PASSWORD, tlsAndAuthWebConfig, USER } from '../support/certs';
import { requireBuiltCli, runCli, spawnCli } from '../support/cli';
import { freePort, spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * Secrets with the real agent and the real protected servers: a password in
 * a URL's userinfo is never printed; `fleet prune` and the fleet queries take
 * the same auth and TLS flags as the agent.
 */
let f: (name: string) => string;

async function startProtected(
  kind: 'gateway' | 'prometheus',
): Promise<{ url: string; port: number; proc: Spawned; hostport: string }> {
  const port = await freePort();
  const web = f(`web-${kind}-${port}.yml`);
  fs.writeFileSync(web, tlsAndAuthWebConfig(f));
  let proc: Spawned;
  if (kind === 'gateway') {
    proc = spawnTracked('prometheus-pushgateway', [
      `--web.listen-address=127.0.0.1:${port}`,
      '--push.disable-consistency-check',
      `--web.config.file=${web}`,
      `--persistence.file=${f(`persist-${port}`)}`,
    ]);
  } else {
    const cfg = f(`prometheus-${port}.yml`);
    fs.writeFileSync(cfg, 'global:\n  scrape_interval: 15s\n');
    proc = spawnTracked('prometheus', [
      `--config.file=${cfg}`,
      `--storage.tsdb.path=${f(`tsdb-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.config.file=${web}`,
    ]);
  }
  await waitFor(
    `protected ${kind}`,
    () => {
      if (proc.child.exitCode !== null) throw new Error(`${kind} exited: ${proc.stderr()}`);
      return /Listening on|TLS is enabled|msg="Listening|Server is ready/.test(proc.stderr()) ? true : undefined;
    },
    30000,
    100,
  );
  return { url: `https://127.0.0.1:${port}`, port, proc, hostport: `127.0.0.1:${port}` };
}

const tlsFlags = (prefix: string) => [
  `--${prefix}-ca-file`,
  f('ca.crt'),
  `--${prefix}-cert-file`,
  f('client.crt'),
  `--${prefix}-key-file`,
  f('client.key'),
];

describe('secrets are never printed; prune and fleet queries reach protected servers', () => {
  beforeAll(() => {
    requireBuiltCli();
    f = makeCerts();
  });

  it('a password in --pushgateway-url works but never shows: start line, failure log, forget', async () => {
    const gw = await startProtected('gateway');
    const withSecret = `https://${USER}:${PASSWORD}@${gw.hostport}`;
    try {
      const agent = spawnCli([
        'run',
        '--pushgateway-url',
        withSecret,
        ...tlsFlags('pushgateway'),
        '--interval',
        '300ms',
        '--collectors',
        'host',
        '--instance',
        'secret-url',
        '--log-format',
        'json',
      ]);
      try {
        // The userinfo's credentials are used: the gateway holds the group (read as an admin would, with curl).
        await waitFor('the group on the gateway', () => {
          const out = execFileSync(
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
              `${gw.url}/api/v1/metrics`,
            ],
            { encoding: 'utf8' },
          );
          return out.includes('"instance":"secret-url"') ? true : undefined;
        });
      } finally {
        await agent.stop();
      }
      expect(agent.stderr()).toContain(`https://${USER}:***@${gw.hostport}`);
      expect(agent.stderr()).not.toContain(PASSWORD);
      expect(agent.stderr()).not.toMatch(/push failed/);

      // A failing push logs its URL: still without the password (nothing listens on that port).
      const deadPort = await freePort();
      const failing = await runCli([
        'once',
        '--pushgateway-url',
        `http://${USER}:${PASSWORD}@127.0.0.1:${deadPort}`,
        '--collectors',
        'host',
        '--log-format',
        'json',
      ]);
      expect(failing.code).not.toBe(0);
      expect(failing.stderr).toContain(`127.0.0.1:${deadPort}`);
      expect(failing.stderr + failing.stdout).not.toContain(PASSWORD);

      const forget = await runCli([
        'forget',
        '--pushgateway-url',
        withSecret,
        ...tlsFlags('pushgateway'),
        '--instance',
        'secret-url',
      ]);
      expect(forget.code).toBe(0);
      expect(forget.stdout).toContain(
        `deleted https://${USER}:***@${gw.hostport}/metrics/job/hostpulse/instance/secret-url`,
      );
      expect(forget.stdout + forget.stderr).not.toContain(PASSWORD);
    } finally {
      await gw.proc.stop();
    }
  }, 60000);

  it('fleet prune lists and deletes on a gateway with TLS, client certificates and basic auth', async () => {
    const gw = await startProtected('gateway');
    try {
      const once = await runCli([
        'once',
        '--pushgateway-url',
        gw.url,
        '--pushgateway-username',
        USER,
        '--pushgateway-password-file',
        f('password'),
        ...tlsFlags('pushgateway'),
        '--collectors',
        'host',
        '--instance',
        'to-prune',
      ]);
      expect(once.code).toBe(0);
      const auth = [
        '--pushgateway-username',
        USER,
        '--pushgateway-password-file',
        f('password'),
        ...tlsFlags('pushgateway'),
      ];
      const list = await runCli([
        'fleet',
        'prune',
        '--pushgateway-url',
        gw.url,
        '--older-than',
        '1ms',
        ...auth,
        '--output',
        'json',
      ]);
      expect(list.stderr).toBe('');
      expect(list.code).toBe(1); // a dry run that found something
      expect(list.stdout).toContain('to-prune');
      const del = await runCli([
        'fleet',
        'prune',
        '--pushgateway-url',
        gw.url,
        '--older-than',
        '1ms',
        ...auth,
        '--yes',
        '--output',
        'json',
      ]);
      expect(del.code).toBe(0);
      const again = await runCli([
        'fleet',
        'prune',
        '--pushgateway-url',
        gw.url,
        '--older-than',
        '1ms',
        ...auth,
        '--output',
        'json',
      ]);
      expect(again.code).toBe(0);
      expect(again.stdout).not.toContain('to-prune');
    } finally {
      await gw.proc.stop();
    }
  }, 60000);

  it('fleet commands query a Prometheus with TLS, client certificates and basic auth; a URL password never shows', async () => {
    const prom = await startProtected('prometheus');
    try {
      const auth = [
        '--prometheus-username',
        USER,
        '--prometheus-password-file',
        f('password'),
        ...tlsFlags('prometheus'),
      ];
      const hosts = await runCli(['fleet', 'hosts', '--prometheus-url', prom.url, ...auth, '--output', 'json']);
      expect(hosts.stderr).toBe('');
      expect(hosts.code).toBe(0);
      expect(JSON.parse(hosts.stdout)).toEqual([]);

      const noAuth = await runCli([
        'fleet',
        'hosts',
        '--prometheus-url',
        prom.url,
        ...tlsFlags('prometheus'),
        '--output',
        'json',
      ]);
      expect(noAuth.code).toBe(3);

      // The password in the URL is used, and not printed when the server refuses or is not there.
      const inUrl = `https://${USER}:${PASSWORD}@${prom.hostport}`;
      const viaUrl = await runCli([
        'fleet',
        'hosts',
        '--prometheus-url',
        inUrl,
        ...tlsFlags('prometheus'),
        '--output',
        'json',
      ]);
      expect(viaUrl.code).toBe(0);
      const deadPort = await freePort();
      const dead = await runCli([
        'fleet',
        'hosts',
        '--prometheus-url',
        `http://${USER}:${PASSWORD}@127.0.0.1:${deadPort}`,
      ]);
      expect(dead.code).toBe(3);
      expect(dead.stderr).toContain(`127.0.0.1:${deadPort}`);
      expect(dead.stderr + dead.stdout).not.toContain(PASSWORD);
    } finally {
      await prom.proc.stop();
    }
  }, 60000);
});
