import type { GroupHostRow } from '../../agent/fleet/group-host-rows';
import { requireBuiltCli, runCli, runJson, spawnCli } from '../support/cli';
import { startMemoryChild, vmRssBytes } from '../support/memory-child';
import { spawnTracked, Spawned, waitFor } from '../support/processes';
import { RunningPrometheus, startPrometheus } from '../support/prometheus';
import { RunningServer, startPushgateway } from '../support/pushgateway';

/**
 * `fleet group NAME` and the grouping header of `fleet groups`, end to end: a
 * real Pushgateway, a real Prometheus scraping it every 2 s, three real agents
 * on this machine's /proc (host-a and host-b group by comm, host-c by cgroup),
 * and a service to find: a child with a known comm, memory and some CPU.
 */
const SERVICE = 'hp-fleet-svc';
const MIB = 1024 * 1024;

let gateway: RunningServer;
let prom: RunningPrometheus;
let service: Spawned;
let spinner: Spawned;
const agents: Spawned[] = [];
let P: string[];

const groupRows = async (...extra: string[]) => runJson<GroupHostRow[]>(['fleet', 'group', SERVICE, ...P, ...extra]);

beforeAll(async () => {
  requireBuiltCli();
  service = await startMemoryChild(96, SERVICE);
  // A second process with the same comm that burns some CPU, so the group has two processes and a CPU rate.
  spinner = spawnTracked(process.execPath, [
    '-e',
    `process.title = ${JSON.stringify(SERVICE)}; setInterval(() => { const end = Date.now() + 20; while (Date.now() < end); }, 100);`,
  ]);
  gateway = await startPushgateway();
  prom = await startPrometheus({ pushgatewayUrl: gateway.url, scrapeInterval: '2s', evaluationInterval: '2s' });
  P = ['--prometheus-url', prom.url];
  for (const [instance, by] of [
    ['host-a', 'comm'],
    ['host-b', 'comm'],
    ['host-c', 'cgroup'],
  ]) {
    agents.push(
      spawnCli(['run', '--pushgateway-url', gateway.url, '--instance', instance, '--interval', '2s', '--group-by', by]),
    );
  }
  await waitFor(
    'the service on host-a and host-b with CPU rates, and host-c reporting',
    async () => {
      const r = await groupRows('--cpu-threshold', '100', '--mem-threshold', '100');
      if (r.code !== 0 || r.rows.length !== 2 || r.rows.some((x) => x.cpu_percent === null)) return undefined;
      const info = await prom.query('hostpulse_host_info');
      return info.length === 3 ? true : undefined;
    },
    90000,
    1000,
  );
}, 150000);

afterAll(async () => {
  for (const a of agents) await a.stop();
  await service?.stop();
  await spinner?.stop();
  await prom?.stop();
  await gateway?.stop();
}, 30000);

describe('fleet group NAME', () => {
  it('lists the hosts running it with its memory, CPU and process count, as the agents pushed them', async () => {
    const r = await groupRows('--cpu-threshold', '100', '--mem-threshold', '100');
    expect(r.code).toBe(0);
    expect(r.rows.map((x) => x.instance).sort()).toEqual(['host-a', 'host-b']);
    // Both agents see the same two processes; RSS is their sum as the kernel reports it, give or take what moved between reads.
    const rss = vmRssBytes(service.pid) + vmRssBytes(spinner.pid);
    for (const row of r.rows) {
      expect(row).toMatchObject({ status: 'ok', reasons: [], group_by: 'comm', processes: 2 });
      expect(row.rss_bytes).toBeGreaterThan(96 * MIB);
      expect(Math.abs(row.rss_bytes! - rss)).toBeLessThan(16 * MIB);
      expect(row.cpu_percent).toBeGreaterThan(0);
    }
  });

  it('takes the host status of `fleet hosts`: over the memory threshold the hosts are unhealthy, with the reason', async () => {
    const r = await groupRows('--mem-threshold', '0', '--cpu-threshold', '100');
    for (const row of r.rows) {
      expect(row.status).toBe('unhealthy');
      expect(row.reasons.join('; ')).toMatch(/^memory: [\d.]+% > 0%$/);
    }
  });

  it('prints a table with a header naming the hosts and the grouping', async () => {
    const r = await runCli([
      'fleet',
      'group',
      SERVICE,
      ...P,
      '-o',
      'table',
      '--cpu-threshold',
      '100',
      '--mem-threshold',
      '100',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`group ${SERVICE} on 2 hosts (2 healthy); groups by comm`);
    expect(lines[1]).toMatch(/^INSTANCE +STATUS +PROCS +RSS +CPU +GROUP BY +REASONS$/);
    expect(
      lines
        .slice(2, 4)
        .map((l) => l.split(/ +/)[0])
        .sort(),
    ).toEqual(['host-a', 'host-b']);
  });

  it('an unknown group: exit 2, naming some known groups', async () => {
    const r = await runCli(['fleet', 'group', 'no-such-service', ...P]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^hostpulse: unknown group "no-such-service": no host runs it \(known groups: .+; groups by mixed \(comm on 2 hosts, cgroup on 1 host\)\)\n/,
    );
    expect(r.stdout).toBe('');
  });
});

describe('fleet groups: the grouping and the CPU source in the table header', () => {
  it('says "mixed" when hosts group differently, and where CPU came from; JSON rows are unchanged', async () => {
    const table = await runCli(['fleet', 'groups', ...P, '-o', 'table']);
    expect(table.code).toBe(0);
    // No recording rule on this Prometheus: the header says the CPU was rated from the counters.
    expect(table.stdout.split('\n')[0]).toBe(
      'process groups; groups by mixed (comm on 2 hosts, cgroup on 1 host); ' +
        'CPU rated from the counters over 1m (no recorded series for this --rate-window)',
    );
    expect(table.stdout.split('\n')[1]).toMatch(/^GROUP +HOSTS +HEALTHY/);
    const json = await runJson<Array<{ group: string }>>(['fleet', 'groups', ...P]);
    expect(Array.isArray(json.rows)).toBe(true);
    expect(json.rows.find((g) => g.group === SERVICE)).toMatchObject({ hosts: 2 });
  });
});
