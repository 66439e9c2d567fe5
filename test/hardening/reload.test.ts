import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { requireBuiltCli, spawnCli } from '../support/cli';
import { parseExposition } from '../support/exposition';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway';
import { waitFor, type Spawned } from '../support/processes';

/** SIGHUP with the real agent: a reload that cannot be applied leaves the agent running; counters carry on. */
function killRecords(seq: number, pid: number, comm: string): string {
  return (
    `6,${seq},${seq}000,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,` +
    `oom_memcg=/t,task_memcg=/t,task=${comm},pid=${pid},uid=0\n` +
    `3,${seq + 1},${seq + 1}000,-;Memory cgroup out of memory: Killed process ${pid} (${comm}) total-vm:1000kB, ` +
    `anon-rss:1000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:184kB oom_score_adj:0\n`
  );
}

const logLines = (a: Spawned) =>
  a
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; message: string });

describe('reload (SIGHUP) with the real agent', () => {
  beforeAll(requireBuiltCli);
  let gw: FakeGateway;
  let agent: Spawned | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-reload-harden-'));

  beforeAll(async () => {
    gw = await startFakeGateway((_req, res) => res.writeHead(204).end());
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });
  afterAll(async () => {
    await gw.stop();
  });

  it('a reload to a --buffer-dir that cannot be made is rejected; the agent keeps delivering with the old one', async () => {
    const cfg = path.join(dir, 'buffer.yml');
    const base = `sink: remote-write\nremote-write-url: ${gw.url}/api/v1/write\ninterval: 300ms\ncollectors: host\n`;
    fs.writeFileSync(cfg, `${base}buffer-dir: ${path.join(dir, 'buf')}\n`);
    agent = spawnCli(['run', '--config', cfg, '--instance', 'reload-buffer', '--log-format', 'json']);
    await waitFor('a write', () => (gw.received.some((r) => r.url === '/api/v1/write') ? true : undefined), 20000, 50);

    // A path below a regular file: mkdir fails with ENOTDIR.
    fs.writeFileSync(path.join(dir, 'not-a-dir'), '');
    fs.writeFileSync(cfg, `${base}buffer-dir: ${path.join(dir, 'not-a-dir', 'buf')}\n`);
    agent.child.kill('SIGHUP');
    const rejected = await waitFor(
      'the rejection logged',
      () => logLines(agent!).find((l) => l.message.startsWith('reload rejected')),
      20000,
      50,
    );
    expect(rejected.message).toMatch(/keeping the running configuration: --buffer-dir .*not-a-dir/);
    const before = gw.received.length;
    await waitFor('writes go on', () => (gw.received.length >= before + 3 ? true : undefined), 20000, 50);
    expect(agent.child.exitCode).toBeNull();
    // The running buffer directory is still the agent's (its lock was not given up).
    // The lock holds the owner's pid, then its start time.
    expect(
      fs
        .readFileSync(path.join(dir, 'buf', 'lock'), 'utf8')
        .trim()
        .split(/\s+/)[0],
    ).toBe(String(agent.pid));

    // A good reload to the same directory shares the running queue (one lock, no "in use" error).
    fs.writeFileSync(cfg, `${base}buffer-dir: ${path.join(dir, 'buf')}\ntop: 3\n`);
    agent.child.kill('SIGHUP');
    await waitFor(
      'reloaded',
      () => (logLines(agent!).some((l) => l.message === 'configuration reloaded') ? true : undefined),
      20000,
      50,
    );
    const after = gw.received.length;
    await waitFor('writes go on', () => (gw.received.length >= after + 3 ? true : undefined), 20000, 50);
    // The lock holds the owner's pid, then its start time.
    expect(
      fs
        .readFileSync(path.join(dir, 'buf', 'lock'), 'utf8')
        .trim()
        .split(/\s+/)[0],
    ).toBe(String(agent.pid));
    // The one error is the rejected reload: the good one took the directory without a lock error.
    expect(logLines(agent).filter((l) => l.level === 'error')).toEqual([rejected]);
  }, 60000);

  it('hostpulse_oom_kills_total and hostpulse_tcp_*_total carry on; a kill during the reload is counted once', async () => {
    const kmsg = path.join(dir, 'kmsg');
    fs.writeFileSync(kmsg, '');
    const cfg = path.join(dir, 'counters.yml');
    const base =
      `pushgateway-url: ${gw.url}\ninterval: 300ms\nkmsg-path: ${kmsg}\nconnections-interval: 200ms\n` +
      `collectors: [host, oom, connections]\n`;
    fs.writeFileSync(cfg, base);
    const since = gw.received.length;
    agent = spawnCli(['run', '--config', cfg, '--instance', 'reload-counters', '--log-format', 'json']);
    const pushes = () => gw.received.slice(since).filter((r) => r.url.includes('reload-counters'));
    const last = () => parseExposition(pushes().at(-1)?.body ?? '');
    const value = (name: string, labels: Record<string, string> = {}) =>
      last()
        .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        .reduce((a, s) => a + s.value, 0);
    await waitFor('first push', () => (pushes().length > 0 ? true : undefined), 20000, 50);

    // New connections the agent sees: a listener of the test, connected to a few times.
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const connect = () =>
      new Promise<void>((resolve) => {
        const c = net.connect(port, '127.0.0.1', () => setTimeout(() => c.end(), 500));
        c.on('close', () => resolve());
      });
    try {
      await Promise.all([connect(), connect(), connect()]);
      fs.appendFileSync(kmsg, killRecords(10, 501, 'before'));
      await waitFor(
        'the kill and the connections counted',
        () =>
          value('hostpulse_oom_kills_total', { comm: 'before' }) === 1 &&
          value('hostpulse_tcp_new_connections_total') > 0
            ? true
            : undefined,
        20000,
        50,
      );
      const tcpBefore = value('hostpulse_tcp_new_connections_total');

      fs.writeFileSync(cfg, `${base}top: 3\n`);
      agent.child.kill('SIGHUP');
      // Written while the new configuration is being built: read by exactly one of the two.
      fs.appendFileSync(kmsg, killRecords(12, 502, 'during'));
      await waitFor(
        'reloaded',
        () => (logLines(agent!).some((l) => l.message === 'configuration reloaded') ? true : undefined),
        20000,
        50,
      );
      fs.appendFileSync(kmsg, killRecords(14, 503, 'after'));
      await waitFor(
        'all three kills in one push',
        () => (value('hostpulse_oom_kills_total', { comm: 'after' }) === 1 ? true : undefined),
        20000,
        50,
      );
      expect(value('hostpulse_oom_kills_total', { comm: 'before' })).toBe(1);
      expect(value('hostpulse_oom_kills_total', { comm: 'during' })).toBe(1);
      expect(value('hostpulse_tcp_new_connections_total')).toBeGreaterThanOrEqual(tcpBefore);
      expect(last().some((s) => s.name === 'hostpulse_tcp_port_scans_total')).toBe(true);
      const warned = logLines(agent).filter((l) => l.message.startsWith('OOM killer killed'));
      expect(warned.map((l) => l.message)).toEqual([
        'OOM killer killed before (pid 501)',
        'OOM killer killed during (pid 502)',
        'OOM killer killed after (pid 503)',
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60000);
});
