import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireBuiltCli, runCli, spawnCli } from '../support/cli';
import { startFakeReceiver, valueOf } from '../support/fake-receiver';
import { stopAll, waitFor } from '../support/processes';
import { startPrometheusReceiver, startVictoriaMetrics } from '../support/receivers';

jest.setTimeout(240000);
beforeAll(requireBuiltCli);
afterAll(() => stopAll());

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'hp-buffer-'));
const buffered = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.endsWith('.rw'));
const run = (url: string, instance: string, extra: string[]): string[] => [
  'run',
  '--sink',
  'remote-write',
  '--remote-write-url',
  url,
  '--collectors',
  'host',
  '--instance',
  instance,
  '--log-format',
  'json',
  ...extra,
];

describe('remote-write buffer', () => {
  test('without --buffer-dir, what an outage buffered in memory survives a SIGHUP reload and is delivered', async () => {
    let up = false;
    const rx = await startFakeReceiver(() => (up ? { status: 204 } : { status: 503, body: 'receiver down' }));
    let cycles = 0;
    const agent = spawnCli(run(rx.url, 'rw-reload', ['--interval', '200ms', '--log-level', 'debug']), {
      onStderrLine: (l) => {
        if (l.includes('"message":"cycle"')) cycles++;
      },
    });
    try {
      // The oldest refused request is retried with back-off; the newer ones wait behind it.
      await waitFor('several refused cycles', () => (cycles >= 5 && rx.requests.length > 0 ? true : undefined));
      const queuedBeforeReload = cycles;
      const firstRefused = rx.requests[0].timestampMs;
      const reloadAt = Date.now();
      agent.child.kill('SIGHUP');
      await waitFor('the reload', () => (agent.stderr().includes('configuration reloaded') ? true : undefined));
      up = true;
      const delivered = () => rx.requests.filter((r) => r.status === 204).map((r) => r.timestampMs);
      // Retries back off up to 30 s; then the queue drains oldest first.
      await waitFor(
        'every cycle queued before the reload, delivered',
        () => (delivered().filter((t) => t < reloadAt).length >= queuedBeforeReload ? true : undefined),
        60000,
        200,
      );
      const d = delivered();
      expect(d[0]).toBe(firstRefused);
      expect(d).toEqual([...d].sort((a, b) => a - b));
      expect(new Set(d).size).toBe(d.length);
    } finally {
      await agent.stop();
      await rx.close();
    }
  });

  test('VictoriaMetrics stopped for a minute at a 1 s interval: afterwards every cycle is in the store once, in order', async () => {
    const vm = await startVictoriaMetrics();
    const dir = tmp();
    let cycles = 0;
    const agent = spawnCli(
      run(vm.writeUrl, 'rw-outage', ['--interval', '1s', '--buffer-dir', dir, '--log-level', 'debug']),
      {
        onStderrLine: (l) => {
          if (l.includes('"message":"cycle"')) cycles++;
        },
      },
    );
    try {
      const series = 'hostpulse_agent_interval_seconds{instance="rw-outage"}';
      await waitFor('first samples', async () => ((await vm.query(series)).length > 0 ? true : undefined), 30000, 500);
      await vm.pause();
      const downAt = Date.now();
      await waitFor('a minute of outage', () => (Date.now() - downAt >= 60000 ? true : undefined), 70000, 1000);
      expect(buffered(dir).length).toBeGreaterThanOrEqual(50);
      await vm.start();
      // Back-off is at most 30 s; then the buffer drains oldest first.
      await waitFor('the buffer drained', () => (buffered(dir).length <= 1 ? true : undefined), 90000, 500);
      await agent.stop();
      const left = buffered(dir).length; // a request whose send the stop cut short stays for the next start
      const samples = await waitFor(
        'every cycle in the store',
        async () => {
          const [r] = await vm.rawSamples(series, '10m');
          return r !== undefined && r.values.length + left >= cycles ? r.values : undefined;
        },
        30000,
        500,
      );
      const stamps = samples.map(([t]) => Math.round(t * 1000));
      expect(new Set(stamps).size).toBe(stamps.length); // none twice
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      expect(stamps.length + left).toBe(cycles); // none lost
      expect(cycles).toBeGreaterThan(60);
    } finally {
      await agent.stop();
      await vm.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('kill -9 during an outage, restart: the buffered samples reach Prometheus; a second agent on the directory exits 1', async () => {
    const prom = await startPrometheusReceiver();
    const dir = tmp();
    const args = run(prom.writeUrl, 'rw-kill', ['--interval', '500ms', '--buffer-dir', dir]);
    let agent = spawnCli(args);
    try {
      await waitFor(
        'first samples',
        async () =>
          (await prom.query('hostpulse_agent_interval_seconds{instance="rw-kill"}')).length > 0 ? true : undefined,
        30000,
        500,
      );
      const second = await runCli([
        'once',
        '--sink',
        'remote-write',
        '--remote-write-url',
        prom.writeUrl,
        '--buffer-dir',
        dir,
        '--collectors',
        'host',
      ]);
      expect(second.code).toBe(1); // it heals (the other agent stops): the unit may restart it
      expect(second.stderr).toContain(`--buffer-dir ${dir} is in use by another hostpulse (pid ${agent.pid}`);

      await prom.pause();
      const files = await waitFor(
        'requests buffered on disk',
        () => (buffered(dir).length >= 5 ? buffered(dir) : undefined),
        30000,
        200,
      );
      agent.child.kill('SIGKILL');
      await agent.exited;
      const stamps = files.map((f) => Number(f.split('-')[1]));
      expect(fs.readFileSync(path.join(dir, 'lock'), 'utf8').split('\n')[0]).toBe(String(agent.pid)); // left behind by the kill

      agent = spawnCli(args); // takes over the stale lock
      await prom.start();
      const got = await waitFor(
        'the buffered samples in Prometheus',
        async () => {
          const [r] = await prom.rawSamples('hostpulse_agent_interval_seconds{instance="rw-kill"}', '10m');
          const have = new Set((r?.values ?? []).map(([t]) => Math.round(t * 1000)));
          return stamps.every((t) => have.has(t)) ? have : undefined;
        },
        60000,
        500,
      );
      expect(got.size).toBeGreaterThan(stamps.length);
    } finally {
      await agent.stop();
      await prom.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a full buffer drops the oldest requests, counted as buffer_full, and keeps the newest', async () => {
    let down = true;
    const rx = await startFakeReceiver(() => (down ? { status: 503 } : { status: 204 }));
    const dir = tmp();
    let full = false;
    const agent = spawnCli(
      run(rx.url, 'rw-full', ['--interval', '100ms', '--buffer-dir', dir, '--buffer-max-bytes', '64KiB']),
      {
        onStderrLine: (l) => {
          if (l.includes('remote-write buffer full')) full = true;
        },
      },
    );
    try {
      await waitFor('the buffer to fill', () => (full ? true : undefined), 60000, 200);
      const first = rx.requests[0].timestampMs;
      down = false;
      const report = await waitFor('delivery reporting the drops', () =>
        rx.requests.find(
          (r) =>
            r.status === 204 &&
            (valueOf(r, 'hostpulse_agent_samples_dropped_total', ['reason', 'buffer_full']) ?? 0) > 0,
        ),
      );
      const accepted = rx.requests.filter((r) => r.status === 204).map((r) => r.timestampMs);
      expect(accepted[0]).toBeGreaterThan(first); // the oldest went
      expect(accepted).toEqual([...accepted].sort((a, b) => a - b));
      expect(new Set(accepted).size).toBe(accepted.length);
      expect(valueOf(report, 'hostpulse_agent_buffer_bytes')).toBeLessThanOrEqual(64 * 1024);
    } finally {
      await agent.stop();
      await rx.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
