/**
 * Everything downstream of the agent on the remote-write path: the fleet CLI
 * and every dashboard expression against VictoriaMetrics 1.79, fed by real
 * agents with `--sink remote-write` (no Pushgateway, so no push_time_seconds).
 * Two hosts write to it directly, a third through vmagent as a relay. One
 * direct host is SIGKILLed and must turn stale, as a dead host does behind a
 * Pushgateway (test/fleet/fleet.e2e.test.ts, test/stack/fleet.e2e.test.ts).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GroupRow } from '../../agent/fleet/group-rows';
import { HostRow } from '../../agent/fleet/host-rows';
import { OomHostRow } from '../../agent/fleet/oom-rows';
import { ProcessRow } from '../../agent/fleet/process-rows';
import { requireBuiltCli, runCli, runJson, spawnCli, watchTwoFrames } from '../support/cli';
import { makeSpoolDir } from '../support/spool';
import { dashboardCgroups } from '../support/memcg-v1';
import { parseExposition } from '../support/exposition';
import { Spawned, waitFor } from '../support/processes';
import { Receiver, Relay, startVictoriaMetrics, startVmagent } from '../support/receivers';
import { loadDashboards, panelQueries, runDashboardQueries, substituteVariables } from './dashboard-queries';

const ROOT = path.join(__dirname, '..', '..');
const DIRECT = ['rw-a', 'rw-b'];
const RELAYED = 'rw-relay';
const HOSTS = [...DIRECT, RELAYED].sort();
const VICTIM = 'rw-b';
/**
 * 2 s, stale after 6 s: the relayed host's newest sample reaches the store up to ~1 s (vmagent's
 * flush) + ~1 s (VictoriaMetrics makes samples searchable) after it was taken.
 */
const INTERVAL = 2;
const OK = ['--cpu-threshold', '100', '--mem-threshold', '100'];
const KMSG_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-rw-kmsg-'));
const kmsgOf = (host: string) => path.join(KMSG_DIR, `${host}.kmsg`);
/** Each agent's --spool-dir: the host dashboard's Spool row must return data too. */
const spoolOf = (host: string): string => makeSpoolDir(KMSG_DIR, `${host}-spool`);
/** A cgroup OOM kill as this machine's kernel logged it (see test/fixtures/kmsg/README.md). */
const OOM_RECORDS = path.join(ROOT, 'test', 'fixtures', 'kmsg', 'linux-6.18-memcg.kmsg');
/** The cgroups collector and a cgroup with a limit: the host dashboard's "Memory limits" row must return data too. */
const cgroups = dashboardCgroups('rw');

let vm: Receiver;
let relay: Relay;
let P: string[];
const agents = new Map<string, Spawned>();

const hosts = async (...extra: string[]) => (await runJson<HostRow[]>(['fleet', 'hosts', ...P, ...extra])).rows;
const byInstance = (rows: HostRow[]) => new Map(rows.map((r) => [r.instance, r]));

jest.setTimeout(60000);

beforeAll(async () => {
  requireBuiltCli();
  vm = await startVictoriaMetrics();
  relay = await startVmagent(vm.writeUrl);
  P = ['--prometheus-url', vm.url];
  for (const name of HOSTS) {
    fs.writeFileSync(kmsgOf(name), '');
    const url = name === RELAYED ? relay.writeUrl : vm.writeUrl;
    agents.set(
      name,
      // --top 200: the agent's own process must get per-pid series whatever else the machine runs.
      spawnCli([
        'run',
        '--sink',
        'remote-write',
        '--remote-write-url',
        url,
        '--instance',
        name,
        '--interval',
        `${INTERVAL}s`,
        '--top',
        '200',
        '--process-detail',
        'pss,io,fds',
        '--kmsg-path',
        kmsgOf(name),
        '--spool-dir',
        spoolOf(name),
        ...cgroups.agentArgs,
        '--log-level',
        'warn',
      ]),
    );
  }
  // Ready when every host has a CPU rate (two samples inside --rate-window).
  await waitFor(
    'every host in VictoriaMetrics with a CPU rate',
    async () => {
      const rows = await hosts(...OK);
      return HOSTS.every((h) => byInstance(rows).get(h)?.cpu_percent != null) ? rows : undefined;
    },
    60000,
    1000,
  );
}, 120000);

afterAll(async () => {
  await Promise.all([...agents.values()].map((a) => a.stop()));
  await relay?.stop();
  await vm?.stop();
  await cgroups.remove();
  fs.rmSync(KMSG_DIR, { recursive: true, force: true });
}, 30000);

describe('fleet commands on remote-written hosts', () => {
  it('hosts: every host, ok, with its age from the last sample and the memory the store holds', async () => {
    const r = await runJson<HostRow[]>(['fleet', 'hosts', ...P, ...OK]);
    expect(r.code).toBe(0);
    expect(r.rows.map((h) => h.instance).sort()).toEqual(HOSTS);
    const mem = new Map(
      (await vm.query('100 * (1 - hostpulse_host_memory_available_bytes / hostpulse_host_memory_total_bytes)')).map(
        (s) => [s.metric.instance, Number(s.value[1])],
      ),
    );
    for (const h of r.rows) {
      expect([h.instance, h.status, h.reasons]).toEqual([h.instance, 'ok', []]);
      // Without a Pushgateway there is no push_time_seconds: the age comes from the last sample.
      expect(h.last_push_age_seconds).not.toBeNull();
      expect(h.cpu_percent).toBeGreaterThan(0);
      // Other tests allocate GiBs meanwhile; a sample may fall between the CLI's query and ours.
      expect(Math.abs((h.memory_percent ?? -100) - (mem.get(h.instance) ?? 0))).toBeLessThan(5);
    }
  });

  it('unhealthy: thresholds 0 list every host with a memory reason and exit 1; 100 list none', async () => {
    const all = await runJson<HostRow[]>(['fleet', 'unhealthy', ...P, '--cpu-threshold', '0', '--mem-threshold', '0']);
    expect(all.code).toBe(1);
    expect(all.rows.map((h) => h.instance).sort()).toEqual(HOSTS);
    for (const h of all.rows) expect(h.reasons).toContainEqual(expect.stringMatching(/^memory: \d+\.\d% > 0%$/));
    const none = await runJson<HostRow[]>(['fleet', 'unhealthy', ...P, ...OK]);
    expect([none.code, none.rows]).toEqual([0, []]);
  });

  it('top: the agent’s own process is among its host’s processes, largest first', async () => {
    const agent = agents.get('rw-a') as Spawned;
    const r = await runJson<ProcessRow[]>(['fleet', 'top', '--host', 'rw-a', '-n', '200', ...P]);
    expect(r.code).toBe(0);
    const rss = r.rows.map((p) => p.rss_bytes ?? -1);
    expect(rss).toEqual([...rss].sort((a, b) => b - a));
    expect(r.rows.find((p) => p.pid === agent.pid)).toMatchObject({ comm: 'node' });
    const unknown = await runCli(['fleet', 'top', '--host', 'no-such-host', ...P]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`known hosts: ${HOSTS.join(', ')}`);
  });

  it('groups: node runs on every host, all healthy', async () => {
    const rows = (await runJson<GroupRow[]>(['fleet', 'groups', ...P, ...OK, '--min-hosts', '3'])).rows;
    expect(rows.find((g) => g.group === 'node')).toMatchObject({ hosts: 3, healthy_hosts: 3, below_min_hosts: false });
  });

  it('ooms: a kill in one host’s kernel log shows up with its victim', async () => {
    fs.appendFileSync(kmsgOf('rw-a'), fs.readFileSync(OOM_RECORDS));
    const row = await waitFor(
      'the OOM victim in fleet ooms',
      async () =>
        (await runJson<OomHostRow[]>(['fleet', 'ooms', '--since', '1h', ...P])).rows.find(
          (h) => h.instance === 'rw-a' && h.victims.length > 0,
        ),
      30000,
      1000,
    );
    expect(row.victims.map((v) => [v.comm, v.constraint, v.kills])).toEqual([['hp-oom-victim', 'cgroup', 1]]);
  });

  it('watch: JSON frames of the host, exit 0 on SIGINT', async () => {
    const w = await watchTwoFrames<{ host: HostRow; processes: ProcessRow[] }>([
      '--host',
      'rw-a',
      '--interval',
      '500ms',
      '-n',
      '3',
      ...OK,
      ...P,
    ]);
    expect(w.exit).toEqual({ code: 0, signal: null });
    expect([w.frame.host.instance, w.frame.host.status]).toEqual(['rw-a', 'ok']);
    expect(w.frame.processes.length).toBeGreaterThan(0);
    expect(w.stderr).toBe('');
  });
});

describe('a remote-writing host whose agent dies', () => {
  it('turns stale after 3 of its intervals in hosts and unhealthy, and stops counting as healthy in groups', async () => {
    const victim = agents.get(VICTIM) as Spawned;
    victim.child.kill('SIGKILL');
    expect((await victim.exited).signal).toBe('SIGKILL');
    // The victim stale and every live host ok in one answer: on a loaded machine a live agent's
    // push can lag past 3 intervals for a moment, so that is waited out, not failed on.
    const live = HOSTS.filter((x) => x !== VICTIM);
    const rows = await waitFor(
      `${VICTIM} stale, the others ok`,
      async () => {
        const r = await hosts(...OK);
        const m = byInstance(r);
        return m.get(VICTIM)?.status === 'stale' && live.every((h) => m.get(h)?.status === 'ok') ? r : undefined;
      },
      60000,
      1000,
    );
    expect(rows[0].instance).toBe(VICTIM); // worst first
    // Stale means over 3 intervals; the age is printed rounded, so just over can read exactly 3 intervals.
    expect(rows[0].last_push_age_seconds).toBeGreaterThanOrEqual(3 * INTERVAL);
    // Its last values stay visible, as on a Pushgateway.
    expect(rows[0].memory_percent).not.toBeNull();
    for (const h of HOSTS.filter((x) => x !== VICTIM)) expect(byInstance(rows).get(h)?.status).toBe('ok');

    // Asked again until the live hosts are ok there too (see above).
    const u = await waitFor(
      'fleet unhealthy naming the victim alone',
      async () => {
        const r = await runJson<HostRow[]>(['fleet', 'unhealthy', ...P, ...OK]);
        return r.rows.length === 1 ? r : undefined;
      },
      60000,
      1000,
    );
    expect(u.code).toBe(1);
    expect(u.rows.map((h) => [h.instance, h.status])).toEqual([[VICTIM, 'stale']]);
    expect(u.rows[0].reasons[0]).toMatch(new RegExp(`^stale: last push [\\d.]+s ago, over 3 x ${INTERVAL}s interval$`));

    const node = await waitFor(
      'the node group with its two live hosts healthy',
      async () => {
        const g = (await runJson<GroupRow[]>(['fleet', 'groups', ...P, ...OK, '--min-hosts', '3'])).rows;
        const row = g.find((x) => x.group === 'node');
        return row?.healthy_hosts === 2 ? row : undefined;
      },
      60000,
      1000,
    );
    expect(node).toMatchObject({ hosts: 3, healthy_hosts: 2, below_min_hosts: true });
    // The stopped host is still known to the host commands.
    expect((await runCli(['fleet', 'top', '--host', VICTIM, ...P])).code).toBe(0);
  }, 200000);

  it('every dashboard expression runs and returns data; the stale panels count and show the dead host', async () => {
    const live = 'rw-a';
    // ALERTS exist only where Prometheus (or vmalert) evaluates the rules; PSI only on kernels with /proc/pressure.
    const psi = fs.existsSync('/proc/pressure/memory');
    const results = await runDashboardQueries(
      (q) => vm.query(q),
      live,
      (q) => q.startsWith('ALERTS{') || (!psi && q.includes('memory_pressure')) || cgroups.mayBeEmpty(q),
    );
    expect(results.length).toBeGreaterThan(30);
    expect(results.filter((r) => r.error !== undefined)).toEqual([]);

    // The status panels say what the fleet CLI says: exactly the dead host is stale.
    const d = loadDashboards();
    const expr = (file: string, title: string, refId = 'A', instance = live) => {
      const q = panelQueries(d.get(file) as never).find((x) => x.panel === title && x.refId === refId);
      if (q === undefined) throw new Error(`no panel "${title}" ${refId} in ${file}`);
      return substituteVariables(q.expr, { instance });
    };
    expect((await vm.query(expr('fleet-overview.json', 'Stale hosts'))).map((s) => s.value[1])).toEqual(['1']);
    const ratio = new Map(
      (await vm.query(expr('fleet-overview.json', 'Hosts'))).map((s) => [s.metric.instance, Number(s.value[1])]),
    );
    expect([...ratio.keys()].sort()).toEqual(HOSTS);
    expect(ratio.get(VICTIM)).toBeGreaterThan(3);
    for (const h of HOSTS.filter((x) => x !== VICTIM)) expect(ratio.get(h)).toBeLessThan(3);
    const status = await vm.query(expr('host-detail.json', 'Status', 'A', VICTIM));
    expect(Number(status[0]?.value[1])).toBeGreaterThan(3);
    const age = await vm.query(expr('host-detail.json', 'Agent: push age', 'A', VICTIM));
    expect(Number(age[0]?.value[1])).toBeGreaterThan(3 * INTERVAL);
  });
});

// Last: its one-off host joins the fleet the tests above count.
describe('vmagent as a relay', () => {
  it('forwards every series and value of a cycle to VictoriaMetrics, queueing in its own tmpDataPath', async () => {
    const fixed = [
      '--procfs-root',
      path.join(ROOT, 'test', 'fixtures', 'proc'),
      '--kmsg-path',
      path.join(ROOT, 'test', 'fixtures', 'kmsg', 'absent'),
    ];
    const args = [
      '--sink',
      'remote-write',
      '--remote-write-url',
      relay.writeUrl,
      '--instance',
      'relay-fixture',
      ...fixed,
      '--log-level',
      'error',
    ];
    const printed = await runCli(['once', '--stdout', ...args]);
    expect(printed.code).toBe(0);
    const sent = await runCli(['once', ...args]);
    expect([sent.code, sent.stderr]).toEqual([0, '']);
    const expected = parseExposition(printed.stdout).filter((s) => !s.name.endsWith('duration_seconds'));
    expect(expected.length).toBeGreaterThan(50);
    const got = await waitFor(
      'the relayed cycle in VictoriaMetrics',
      async () => {
        const r = await vm.query('{instance="relay-fixture"}');
        return r.length >= expected.length ? r : undefined;
      },
      30000,
      500,
    );
    const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
    const actual = new Map(got.map((s) => [key(s.metric), Number(s.value[1])]));
    for (const s of expected) {
      const k = key({ __name__: s.name, ...s.labels, job: 'hostpulse', instance: 'relay-fixture' });
      expect(`${k} ${actual.get(k)}`).toBe(`${k} ${s.value}`);
    }
    expect(fs.readdirSync(relay.queueDir).length).toBeGreaterThan(0);
  });
});
