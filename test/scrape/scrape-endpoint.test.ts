/**
 * `--sink scrape` as a scraper and an attacker see it: the real agent (built
 * CLI) listening on 127.0.0.1, asked with fetch, curl and raw sockets.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { gunzipSync } from 'zlib';
import { makeCerts, PASSWORD, tlsAndAuthWebConfig, USER } from '../support/certs';
import { requireBuiltCli, runCli, spawnCli } from '../support/cli';
import { parseExposition } from '../support/exposition';
import { freePort, waitFor, waitHttp, type Spawned } from '../support/processes';

const REAL_PS = execFileSync('sh', ['-c', 'command -v ps'], { encoding: 'utf8' }).trim();

/**
 * A `ps` first on PATH that takes `seconds` before answering while the file
 * `slow` exists, writing `in-ps` while it waits: a slow cycle on demand.
 */
function slowPs(seconds: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-slow-ps-'));
  const slow = path.join(dir, 'slow');
  const inPs = path.join(dir, 'in-ps');
  fs.writeFileSync(
    path.join(dir, 'ps'),
    `#!/bin/sh
case "$1" in --version|-V) exec ${REAL_PS} "$@";; esac
if [ -e ${slow} ]; then touch ${inPs}; sleep ${seconds}; rm -f ${inPs}; fi
exec ${REAL_PS} "$@"
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(slow, '');
  return {
    env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
    inCycle: () => fs.existsSync(inPs),
    fast: () => fs.rmSync(slow, { force: true }),
  };
}

async function startAgent(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ agent: Spawned; base: string }> {
  const port = await freePort();
  const agent = spawnCli(['run', '--sink', 'scrape', '--listen-address', `127.0.0.1:${port}`, ...args], { env });
  return { agent, base: `127.0.0.1:${port}` };
}

/** A raw request on a fresh socket; resolves with what came back before the server closed it (or after `waitMs`). */
function raw(base: string, bytes: string | Buffer, waitMs = 20000): Promise<string> {
  const [host, port] = base.split(':');
  return new Promise((resolve) => {
    const s = net.connect(Number(port), host);
    let got = '';
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('close', done);
    s.on('error', done);
    s.write(bytes);
  });
}

beforeAll(() => requireBuiltCli());

describe('serving the latest cycle', () => {
  let agent: Spawned;
  let base: string;
  let ps: ReturnType<typeof slowPs>;

  beforeAll(async () => {
    // Cycles take 3 s (the fake ps), every 6 s; ps may take up to 5 s (the command timeout).
    ps = slowPs(3);
    ({ agent, base } = await startAgent(['--sampler', 'ps', '--interval', '6s', '--collectors', 'processes'], ps.env));
  });
  afterAll(() => agent.stop());

  it('answers 503 with the reason before the first cycle, then the exposition with the right Content-Type', async () => {
    const first = await waitFor('the endpoint to listen', async () => {
      const res = await fetch(`http://${base}/metrics`);
      return { status: res.status, body: await res.text() };
    });
    // The first cycle takes 3 s: the endpoint listened before it.
    expect(first.status).toBe(503);
    expect(first.body).toMatch(/no cycle has completed yet/);
    expect((await fetch(`http://${base}/-/ready`)).status).toBe(503);
    expect((await fetch(`http://${base}/-/healthy`)).status).toBe(200);

    await waitHttp('the first cycle', agent, `http://${base}/-/ready`);
    const res = await fetch(`http://${base}/metrics`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers.get('content-encoding')).toBeNull();
    const samples = parseExposition(await res.text());
    expect(samples.some((s) => s.name === 'hostpulse_process_resident_memory_bytes')).toBe(true);
    // Prometheus sets job and instance: the agent adds none of its own.
    expect(samples.every((s) => s.labels.job === undefined && s.labels.instance === undefined)).toBe(true);
  });

  it('gzips when asked, answers HEAD without a body, links its pages from /', async () => {
    await waitHttp('the first cycle', agent, `http://${base}/-/ready`);
    // curl shows the bytes as sent: gzip only when asked for.
    const gz = spawnSync('curl', ['-s', '-D', '-', '-H', 'Accept-Encoding: gzip', `http://${base}/metrics`, '-o', '-']);
    const headerEnd = gz.stdout.indexOf('\r\n\r\n');
    expect(gz.stdout.subarray(0, headerEnd).toString()).toMatch(/Content-Encoding: gzip/i);
    const text = gunzipSync(gz.stdout.subarray(headerEnd + 4)).toString();
    expect(text).toContain('# TYPE hostpulse_process_resident_memory_bytes gauge');

    const head = await raw(base, `HEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(head).toMatch(/^HTTP\/1.1 200/);
    expect(head).toMatch(/Content-Length: [1-9]\d*/i);
    expect(head.endsWith('\r\n\r\n')).toBe(true);

    const index = await (await fetch(`http://${base}/`)).text();
    for (const link of ['metrics', '-/healthy', '-/ready']) expect(index).toContain(`href="${link}"`);
    expect((await fetch(`http://${base}/nope`)).status).toBe(404);
  });

  it('a scrape during a slow cycle returns the previous cycle at once', async () => {
    await waitHttp('the first cycle', agent, `http://${base}/-/ready`);
    await waitFor('a cycle in progress', () => (ps.inCycle() ? true : undefined), 20000, 50);
    const before = await (await fetch(`http://${base}/metrics`)).text();
    // Asked while the 3 s cycle runs, the scrape is answered with the previous cycle's bytes: an
    // endpoint that waited for the cycle would serve the new one (its durations differ). No
    // clock is read, so a loaded machine cannot fail this.
    expect(ps.inCycle()).toBe(true);
    const during = await (await fetch(`http://${base}/metrics`)).text();
    expect(during).toBe(before);
  });

  it('a POST, a malformed request, a huge header and a slow client do not hurt it', async () => {
    await waitHttp('the first cycle', agent, `http://${base}/-/ready`);
    const post = await fetch(`http://${base}/metrics`, { method: 'POST', body: 'x'.repeat(100000) });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');

    expect(await raw(base, 'GARBAGE\x00\x01 not http\r\n\r\n')).toMatch(/^HTTP\/1.1 400|^$/);
    const huge = await raw(base, `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1.1 431/);

    // A client that sends half its headers and then nothing is cut off (headers timeout 10 s), while others are served.
    const started = Date.now();
    const slow = raw(base, 'GET /metrics HTTP/1.1\r\nHost: x\r\n', 45000);
    expect((await fetch(`http://${base}/metrics`)).status).toBe(200);
    await slow;
    expect(Date.now() - started).toBeLessThan(40000);

    // Still alive, still cycling: the served cycle changes.
    ps.fast();
    const now = await (await fetch(`http://${base}/metrics`)).text();
    await waitFor(
      'a newer cycle',
      async () => ((await (await fetch(`http://${base}/metrics`)).text()) !== now ? true : undefined),
      30000,
    );
    expect(agent.child.exitCode).toBeNull();
  });
});

describe('start-up errors exit 2 naming the problem', () => {
  it('a port in use', async () => {
    const { agent, base } = await startAgent(['--interval', '1h', '--collectors', 'host']);
    try {
      await waitHttp('the first agent', agent, `http://${base}/-/healthy`);
      const second = await runCli(['run', '--sink', 'scrape', '--listen-address', base, '--collectors', 'host']);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(
        `--listen-address ${base}: cannot listen: port ${base.split(':')[1]} is already in use`,
      );
    } finally {
      await agent.stop();
    }
  });

  it('an address that is not this host, a bad web config, and scrape for once', async () => {
    const notHere = await runCli(['run', '--sink', 'scrape', '--listen-address', '192.0.2.1:19150']);
    expect(notHere.code).toBe(2);
    expect(notHere.stderr).toMatch(/192.0.2.1 is not an address of this host/);

    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hp-web-')), 'web.yml');
    fs.writeFileSync(f, 'basic_auth_users:\n  agent: plain-text-password\n');
    const bad = await runCli(['run', '--sink', 'scrape', '--web-config-file', f]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${f}:2: the password of "agent" must be a bcrypt hash`);

    const once = await runCli(['once', '--sink', 'scrape', '--collectors', 'host']);
    expect(once.code).toBe(2);
    expect(once.stderr).toMatch(/use `hostpulse run`/);
  });
});

describe('TLS, client certificates and basic auth (exporter-toolkit web config)', () => {
  let f: (name: string) => string;
  let agent: Spawned;
  let base: string;
  const curl = (...args: string[]) =>
    spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '20', ...args], {
      encoding: 'utf8',
    });
  const withCert = () => ['--cacert', f('ca.crt'), '--cert', f('client.crt'), '--key', f('client.key')];

  beforeAll(async () => {
    f = makeCerts();
    fs.writeFileSync(f('web.yml'), tlsAndAuthWebConfig(f));
    ({ agent, base } = await startAgent([
      '--interval',
      '2s',
      '--collectors',
      'host',
      '--web-config-file',
      f('web.yml'),
    ]));
    await waitFor('the TLS endpoint', () =>
      curl(...withCert(), `https://${base}/-/ready`).stdout === '200' ? true : undefined,
    );
  });
  afterAll(() => agent.stop());

  it('the right password gets 200; a wrong one or none 401', () => {
    expect(curl(...withCert(), '-u', `${USER}:${PASSWORD}`, `https://${base}/metrics`).stdout).toBe('200');
    expect(curl(...withCert(), '-u', `${USER}:wrong`, `https://${base}/metrics`).stdout).toBe('401');
    expect(curl(...withCert(), '-u', `nobody:${PASSWORD}`, `https://${base}/metrics`).stdout).toBe('401');
    expect(curl(...withCert(), `https://${base}/metrics`).stdout).toBe('401');
  });

  it('plain http is refused, and so is TLS without a client certificate', () => {
    const plain = curl('-u', `${USER}:${PASSWORD}`, `http://${base}/metrics`);
    expect(plain.stdout).toBe('000');
    const noCert = curl('--cacert', f('ca.crt'), '-u', `${USER}:${PASSWORD}`, `https://${base}/metrics`);
    expect(noCert.stdout).toBe('000');
    expect(noCert.status).not.toBe(0);
    // The server is still there for the right client.
    expect(curl(...withCert(), '-u', `${USER}:${PASSWORD}`, `https://${base}/metrics`).stdout).toBe('200');
  });

  it('a correct password costs bcrypt once, not per scrape', () => {
    const cpu = () => {
      const stat = fs.readFileSync(`/proc/${agent.pid}/stat`, 'utf8');
      const f14 = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(f14[11]) + Number(f14[12]);
    };
    const before = cpu();
    for (let i = 0; i < 20; i++)
      expect(curl(...withCert(), '-u', `${USER}:${PASSWORD}`, `https://${base}/metrics`).stdout).toBe('200');
    // 20 bcrypt checks at cost 10 would be ~1.6 s of CPU (160 ticks); TLS handshakes and cycles cost far less.
    expect(cpu() - before).toBeLessThan(80);
  });
});

describe('connections and reloads', () => {
  it('holds at most 32 connections: the rest are closed at once, and it serves again when they go', async () => {
    const { agent, base } = await startAgent(['--interval', '1h', '--collectors', 'host']);
    const [host, port] = base.split(':');
    const sockets: net.Socket[] = [];
    try {
      await waitHttp('ready', agent, `http://${base}/-/ready`);
      let closedByServer = 0;
      await Promise.all(
        Array.from(
          { length: 40 },
          () =>
            new Promise<void>((resolve) => {
              const s = net.connect(Number(port), host, () => resolve());
              s.on('close', () => closedByServer++);
              s.on('error', () => resolve());
              sockets.push(s);
            }),
        ),
      );
      await waitFor('the excess closed', () => (closedByServer >= 8 ? true : undefined), 10000, 50);
      expect(closedByServer).toBeLessThanOrEqual(8 + 1);
      for (const s of sockets) s.destroy();
      await waitFor('served again', async () => ((await fetch(`http://${base}/metrics`)).ok ? true : undefined));
    } finally {
      for (const s of sockets) s.destroy();
      await agent.stop();
    }
  });

  it('a SIGHUP reload keeps serving without a gap; one that moves the endpoint is rejected', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-reload-'));
    const config = path.join(dir, 'hostpulse.yml');
    const write = (listen: string, interval: string) =>
      fs.writeFileSync(
        config,
        `sink: [scrape]\nlisten-address: '${listen}'\ninterval: ${interval}\ncollectors: [host]\n`,
      );
    write(`127.0.0.1:${port}`, '1s');
    const agent = spawnCli(['run', '--config', config, '--log-format', 'text']);
    const url = `http://127.0.0.1:${port}/metrics`;
    try {
      await waitHttp('ready', agent, `http://127.0.0.1:${port}/-/ready`);
      // Scrape all along while the agent reloads (a new interval): never a 503, never a refused connection.
      const statuses: number[] = [];
      let scraping = true;
      const scraper = (async () => {
        while (scraping) statuses.push((await fetch(url)).status);
      })();
      write(`127.0.0.1:${port}`, '2s');
      agent.child.kill('SIGHUP');
      await waitFor('the reload', () => (/configuration reloaded/.test(agent.stderr()) ? true : undefined));
      await waitFor('a few scrapes after it', () => (statuses.length > 20 ? true : undefined));
      scraping = false;
      await scraper;
      expect(statuses.filter((s) => s !== 200)).toEqual([]);

      write('127.0.0.1:1', '2s');
      agent.child.kill('SIGHUP');
      await waitFor('the rejection', () =>
        /reload rejected, keeping the running configuration: a changed --listen-address needs a restart/.test(
          agent.stderr(),
        )
          ? true
          : undefined,
      );
      expect((await fetch(url)).status).toBe(200);
    } finally {
      await agent.stop();
    }
  });
});
