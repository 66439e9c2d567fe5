import { GroupRow } from '../../agent/fleet/group-rows';
import { HostRow } from '../../agent/fleet/host-rows';
import { ProcessRow } from '../../agent/fleet/process-rows';
import { freePort, spawnTracked, Spawned, waitFor } from '../support/processes';
import { RunningServer, startPushgateway } from '../support/pushgateway';
import { RunningPrometheus, startPrometheus } from '../support/prometheus';
import { requireBuiltCli, runCli, runJson, spawnCli, watchTwoFrames } from '../support/cli';

/**
 * The fleet commands end to end: a real Pushgateway, a real Prometheus
 * scraping it every 2 s, and two real agents (host-a, host-b) pushing this
 * machine's /proc every 2 s. The built CLI runs as a child process.
 */

const AGENT_INTERVAL = '2s';
const HOG_BYTES = 200 * 1024 * 1024;

let gateway: RunningServer;
let prom: RunningPrometheus;
const agents = new Map<string, Spawned>();
let hog: Spawned;
let P: string[];

function startAgent(instance: string): Spawned {
  // --top 200: the hog must get per-pid series whatever else the machine runs meanwhile.
  const a = spawnCli([
    'run',
    '--pushgateway-url',
    gateway.url,
    '--instance',
    instance,
    '--interval',
    AGENT_INTERVAL,
    '--top',
    '200',
  ]);
  agents.set(instance, a);
  return a;
}

const hosts = async (...extra: string[]) => (await runJson<HostRow[]>(['fleet', 'hosts', ...P, ...extra])).rows;
const byInstance = (rows: HostRow[]) => new Map(rows.map((r) => [r.instance, r]));

/** Memory % used of each host as Prometheus holds it now: what the CLI must report. */
async function memoryPercentInPrometheus(): Promise<Map<string, number>> {
  const res = await prom.query('100 * (1 - hostpulse_host_memory_available_bytes / hostpulse_host_memory_total_bytes)');
  return new Map(res.map((s) => [s.metric.instance, Number(s.value[1])]));
}

beforeAll(async () => {
  requireBuiltCli();
  // A process the top commands must find: 200 MiB resident, ~30% of a CPU.
  hog = spawnTracked(process.execPath, [
    '-e',
    `const b = Buffer.alloc(${HOG_BYTES}, 1); setInterval(() => { const end = Date.now() + 30; while (Date.now() < end) b[0]++; }, 100);`,
  ]);
  gateway = await startPushgateway();
  prom = await startPrometheus({ pushgatewayUrl: gateway.url, scrapeInterval: '2s', evaluationInterval: '2s' });
  P = ['--prometheus-url', prom.url];
  startAgent('host-a');
  startAgent('host-b');
  // Ready when both hosts have a CPU rate (two scrapes) and the hog has per-pid series with a CPU rate.
  await waitFor(
    'both agents in Prometheus with CPU rates',
    async () => {
      const rows = await hosts();
      const ready = ['host-a', 'host-b'].every((h) => byInstance(rows).get(h)?.cpu_percent != null);
      if (!ready) return undefined;
      const procs = (await runJson<ProcessRow[]>(['fleet', 'top', '--host', 'host-a', '-n', '50', ...P])).rows;
      return procs.find((p) => p.pid === hog.pid && p.cpu_percent !== null) ? true : undefined;
    },
    60000,
    1000,
  );
}, 120000);

afterAll(async () => {
  for (const a of agents.values()) await a.stop();
  await hog?.stop();
  await prom?.stop();
  await gateway?.stop();
}, 30000);

describe('fleet hosts', () => {
  it('lists both live hosts with plausible values and the stable JSON fields', async () => {
    const r = await runJson<HostRow[]>(['fleet', 'hosts', ...P, '--cpu-threshold', '100', '--mem-threshold', '100']);
    expect(r.code).toBe(0);
    expect(r.rows.map((h) => h.instance).sort()).toEqual(['host-a', 'host-b']);
    const mem = await memoryPercentInPrometheus();
    for (const h of r.rows) {
      expect(Object.keys(h)).toEqual([
        'instance',
        'status',
        'reasons',
        'cpu_percent',
        'memory_percent',
        'oom_kills_1h',
        'last_push_age_seconds',
      ]);
      expect(h.status).toBe('ok');
      expect(h.reasons).toEqual([]);
      expect(h.cpu_percent).toBeGreaterThan(0);
      expect(h.cpu_percent).toBeLessThanOrEqual(100);
      // Other tests allocate GiBs meanwhile; a scrape may fall between the CLI's query and ours.
      expect(Math.abs((h.memory_percent ?? -100) - mem.get(h.instance)!)).toBeLessThan(5);
      expect(h.oom_kills_1h).toBeGreaterThanOrEqual(0);
      expect(h.last_push_age_seconds).toBeLessThan(6);
    }
  });

  it('prints an aligned table when asked', async () => {
    const r = await runCli(['fleet', 'hosts', ...P, '--output', 'table']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^INSTANCE\s+STATUS\s+CPU\s+MEMORY\s+OOM\/1H\s+LAST PUSH$/);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(/\s+/)[0])
        .sort(),
    ).toEqual(['host-a', 'host-b']);
    // Right-aligned columns end at the same place on every line.
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('reads the Prometheus URL from HOSTPULSE_PROMETHEUS_URL', async () => {
    const r = await runJson<HostRow[]>(['fleet', 'hosts'], { HOSTPULSE_PROMETHEUS_URL: prom.url });
    expect(r.rows.map((h) => h.instance).sort()).toEqual(['host-a', 'host-b']);
  });
});

describe('fleet unhealthy', () => {
  it('thresholds 0 list every host with a memory reason and exit 1', async () => {
    const r = await runJson<HostRow[]>(['fleet', 'unhealthy', ...P, '--cpu-threshold', '0', '--mem-threshold', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.rows.map((h) => h.instance).sort()).toEqual(['host-a', 'host-b']);
    for (const h of r.rows) {
      expect(h.status).toBe('unhealthy');
      expect(h.reasons).toContainEqual(expect.stringMatching(/^memory: \d+\.\d% > 0%$/));
    }
  });

  it('thresholds 100 list no host and exit 0', async () => {
    const r = await runJson<HostRow[]>([
      'fleet',
      'unhealthy',
      ...P,
      '--cpu-threshold',
      '100',
      '--mem-threshold',
      '100',
    ]);
    expect(r.code).toBe(0);
    expect(r.rows).toEqual([]);
    const t = await runCli([
      'fleet',
      'unhealthy',
      ...P,
      '--cpu-threshold',
      '100',
      '--mem-threshold',
      '100',
      '-o',
      'table',
    ]);
    expect(t).toEqual({ code: 0, stdout: 'all hosts ok\n', stderr: '' });
  });
});

describe('fleet top', () => {
  it('shows the host’s processes by memory, largest first, with the 200 MiB process in it', async () => {
    const r = await runJson<ProcessRow[]>(['fleet', 'top', '--host', 'host-a', '--by', 'memory', '-n', '20', ...P]);
    expect(r.code).toBe(0);
    expect(r.rows.length).toBeGreaterThan(1);
    expect(r.rows.length).toBeLessThanOrEqual(20);
    const rss = r.rows.map((p) => p.rss_bytes ?? -1);
    expect(rss).toEqual([...rss].sort((a, b) => b - a));
    const mine = r.rows.find((p) => p.pid === hog.pid);
    expect(mine).toMatchObject({ comm: 'node' });
    expect(Object.keys(mine ?? {})).toEqual(['pid', 'comm', 'rss_bytes', 'cpu_percent']);
    expect(mine?.rss_bytes).toBeGreaterThanOrEqual(HOG_BYTES);
    // It burns CPU, so its rate is measured and above zero (how much depends on the shared machine's load).
    expect(mine?.cpu_percent).toBeGreaterThan(0);
  });

  it('sorts by CPU and keeps -n', async () => {
    const r = await runJson<ProcessRow[]>(['fleet', 'top', '--host', 'host-b', '--by', 'cpu', '-n', '3', ...P]);
    expect(r.rows).toHaveLength(3);
    const cpu = r.rows.map((p) => p.cpu_percent ?? -1);
    expect(cpu).toEqual([...cpu].sort((a, b) => b - a));
  });

  it('an unknown host is a usage error: exit 2, a clear line, no stack trace', async () => {
    const r = await runCli(['fleet', 'top', '--host', 'no-such-host', ...P]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(
      `hostpulse: unknown host "no-such-host": no hostpulse metrics for it in Prometheus at ${prom.url} (known hosts: host-a, host-b)`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('fleet groups', () => {
  it('counts each group’s hosts and healthy hosts and flags groups below --min-hosts', async () => {
    const ok = ['--cpu-threshold', '100', '--mem-threshold', '100'];
    const two = (await runJson<GroupRow[]>(['fleet', 'groups', ...P, ...ok, '--min-hosts', '2'])).rows;
    // The agents themselves are `node` processes on this machine, seen by both agents.
    const node = two.find((g) => g.group === 'node');
    expect(node).toMatchObject({ hosts: 2, healthy_hosts: 2, below_min_hosts: false });
    expect(node?.memory_max_bytes).toBeGreaterThanOrEqual(HOG_BYTES);
    expect(node?.memory_avg_bytes).toBeLessThanOrEqual(node?.memory_max_bytes ?? 0);
    for (const g of two) expect(g.hosts).toBeLessThanOrEqual(2);

    const three = (await runJson<GroupRow[]>(['fleet', 'groups', ...P, ...ok, '--min-hosts', '3'])).rows;
    expect(three.every((g) => g.below_min_hosts)).toBe(true);

    const none = (await runJson<GroupRow[]>(['fleet', 'groups', ...P, '--cpu-threshold', '0', '--mem-threshold', '0']))
      .rows;
    expect(none.find((g) => g.group === 'node')).toMatchObject({ hosts: 2, healthy_hosts: 0, below_min_hosts: true });
  });
});

describe('fleet watch', () => {
  it('prints a refresh per interval as JSON lines and exits 0 on Ctrl-C (SIGINT)', async () => {
    const w = await watchTwoFrames<{ host: HostRow; processes: ProcessRow[] }>([
      '--host',
      'host-a',
      '--interval',
      '500ms',
      '-n',
      '3',
      ...P,
    ]);
    expect(w.exit).toEqual({ code: 0, signal: null });
    expect(w.frame.host.instance).toBe('host-a');
    expect(w.frame.processes.length).toBeLessThanOrEqual(3);
    expect(w.stderr).toBe('');
  });

  it('redraws in place (clear screen + home) as a table and exits 0 on SIGINT', async () => {
    const w = spawnCli(['fleet', 'watch', '--host', 'host-b', '--interval', '500ms', '--output', 'table', ...P]);
    await waitFor('two screens', () => (w.stdout().split('\u001b[H\u001b[2J').length >= 3 ? true : undefined));
    w.child.kill('SIGINT');
    expect(await w.exited).toEqual({ code: 0, signal: null });
    const screen = w.stdout().split('\u001b[H\u001b[2J')[1];
    expect(screen).toMatch(/^hostpulse fleet watch host-b {2}every 500ms/);
    expect(screen).toMatch(/\nhost-b +ok|\nhost-b +unhealthy/);
    expect(screen).toMatch(/\n +PID +COMM +RSS +CPU\n/);
  });

  it('an unknown host fails before watching: exit 2', async () => {
    const r = await runCli(['fleet', 'watch', '--host', 'nope', ...P]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hostpulse: unknown host "nope"/);
  });
});

describe('backend errors', () => {
  it('unreachable Prometheus: exit 3 and exactly one line on stderr', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    for (const cmd of [['hosts'], ['unhealthy'], ['top', '--host', 'host-a'], ['groups']]) {
      const r = await runCli(['fleet', ...cmd, '--prometheus-url', url]);
      expect(r).toEqual({
        code: 3,
        stdout: '',
        stderr: `hostpulse: cannot reach Prometheus at ${url}: connection refused (check --prometheus-url or HOSTPULSE_PROMETHEUS_URL)\n`,
      });
    }
  });

  it('a URL that is not Prometheus (the Pushgateway): exit 3, one line', async () => {
    const r = await runCli(['fleet', 'hosts', '--prometheus-url', gateway.url]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      new RegExp(`^hostpulse: ${gateway.url} does not look like the Prometheus API: HTTP \\d+ .*\\n$`),
    );
  });

  it('a query Prometheus rejects: exit 3 with its reason, and a stack trace only with --log-level debug', async () => {
    // A range this long is valid syntax to us but out of range for Prometheus.
    const args = ['fleet', 'hosts', ...P, '--rate-window', '999999999999y'];
    const r = await runCli(args);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^hostpulse: Prometheus at .* rejected a query \(HTTP 400, bad_data\): .*\n$/);
    const d = await runCli([...args, '--log-level', 'debug']);
    expect(d.code).toBe(3);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it('bad flags are usage errors: exit 2', async () => {
    expect((await runCli(['fleet', 'hosts', '--prometheus-url', 'nowhere'])).code).toBe(2);
    expect((await runCli(['fleet', 'top', ...P])).code).toBe(2); // --host missing
    expect((await runCli(['fleet', 'hosts', ...P, '--output', 'xml'])).code).toBe(2);
    expect((await runCli(['fleet', 'watch', '--host', 'host-a', '--interval', 'soon', ...P])).code).toBe(2);
  });
});

describe('a host whose agent dies', () => {
  it('turns stale after 3 of its intervals, is listed by unhealthy, and stops counting as healthy', async () => {
    const b = agents.get('host-b');
    b?.child.kill('SIGKILL');
    await b?.exited;
    // host-b stale and host-a ok in one answer: on a loaded machine host-a's push can lag past
    // 3 intervals for a moment, so that is waited out, not failed on.
    const rows = await waitFor(
      'host-b stale, host-a ok',
      async () => {
        const r = await hosts('--cpu-threshold', '100', '--mem-threshold', '100');
        const m = byInstance(r);
        return m.get('host-b')?.status === 'stale' && m.get('host-a')?.status === 'ok' ? r : undefined;
      },
      45000,
      1000,
    );
    expect(rows[0].instance).toBe('host-b'); // worst first
    // Stale means over 3 x 2s; the age is printed rounded, so just over 6 s can read 6.
    expect(rows[0].last_push_age_seconds).toBeGreaterThanOrEqual(6);
    expect(byInstance(rows).get('host-a')?.status).toBe('ok');

    const u = await waitFor(
      'fleet unhealthy naming host-b alone',
      async () => {
        const r = await runJson<HostRow[]>([
          'fleet',
          'unhealthy',
          ...P,
          '--cpu-threshold',
          '100',
          '--mem-threshold',
          '100',
        ]);
        return r.rows.length === 1 ? r : undefined;
      },
      30000,
      1000,
    );
    expect(u.code).toBe(1);
    expect(u.rows.map((h) => [h.instance, h.status])).toEqual([['host-b', 'stale']]);
    expect(u.rows[0].reasons[0]).toMatch(/^stale: last push [\d.]+s ago, over 3 x 2s interval$/);

    const node = await waitFor(
      'the node group with host-a healthy',
      async () => {
        const g = (
          await runJson<GroupRow[]>(['fleet', 'groups', ...P, '--cpu-threshold', '100', '--mem-threshold', '100'])
        ).rows;
        const row = g.find((x) => x.group === 'node');
        return row?.healthy_hosts === 1 ? row : undefined;
      },
      30000,
      1000,
    );
    expect(node).toMatchObject({ hosts: 2, healthy_hosts: 1, below_min_hosts: true });
  }, 150000);
});
