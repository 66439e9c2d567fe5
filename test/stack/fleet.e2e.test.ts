/**
 * The demo topology, for real: a Debian Pushgateway, Prometheus running the
 * project's config and rules (rendered for loopback, short intervals) and
 * Alertmanager, the synthetic memory load, and N agents pushing every second.
 * The rule files are loaded unchanged; only the intervals are shortened.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startAlertmanager, RunningAlertmanager } from '../support/alertmanager';
import { CLI, spawnCli } from '../support/cli';
import { makeSpoolDir } from '../support/spool';
import { dashboardCgroups } from '../support/memcg-v1';
import { spawnTracked, Spawned, waitFor } from '../support/processes';
import { startPrometheus, RunningPrometheus } from '../support/prometheus';
import { gatewayMetrics, RunningServer, startPushgateway } from '../support/pushgateway';
import { runDashboardQueries } from './dashboard-queries';

const ROOT = path.join(__dirname, '..', '..');
const HOSTS = ['e2e-host-1', 'e2e-host-2', 'e2e-host-3'];
const VICTIM = 'e2e-host-2';
/**
 * Each agent follows a kernel log of its own (a regular file, read as /dev/kmsg is), so an
 * OOM kill elsewhere on the machine cannot reach this test and one can be given on purpose.
 */
const KMSG_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-stack-kmsg-'));
const kmsgOf = (host: string) => path.join(KMSG_DIR, `${host}.kmsg`);
/** Each agent's --spool-dir: the host dashboard's Spool row must return data too. */
const spoolOf = (host: string): string => makeSpoolDir(KMSG_DIR, `${host}-spool`);
/** A cgroup OOM kill as this machine's kernel logged it (see test/fixtures/kmsg/README.md). */
const OOM_RECORDS = path.join(ROOT, 'test', 'fixtures', 'kmsg', 'linux-6.18-memcg.kmsg');
/** The cgroups collector and a cgroup with a limit: the host dashboard's "Memory limits" row must return data too. */
const cgroups = dashboardCgroups('fleet');

let pushgateway: RunningServer;
let alertmanager: RunningAlertmanager;
let prometheus: RunningPrometheus;
let load: Spawned;
const agents = new Map<string, Spawned>();

const instancesOf = (samples: Array<{ metric: Record<string, string> }>): string[] =>
  samples.map((s) => s.metric.instance).sort();

const missingPushes = async () =>
  (await prometheus.alerts()).filter((a) => a.labels.alertname === 'HostpulseMissingPushes');

const allAgentsInPrometheus = () =>
  waitFor(
    'all agents in Prometheus',
    async () => {
      const s = await prometheus.query('hostpulse_agent_interval_seconds');
      return instancesOf(s).join() === HOSTS.join() ? s : undefined;
    },
    40000,
  );

/** Kills the victim (once, after Prometheus has seen it) and waits until Prometheus reports HostpulseMissingPushes for it. */
async function killVictimAndWaitForAlert() {
  await allAgentsInPrometheus();
  const victim = agents.get(VICTIM) as Spawned;
  if (victim.child.exitCode === null && victim.child.signalCode === null) victim.child.kill('SIGKILL');
  expect((await victim.exited).signal).toBe('SIGKILL');
  return waitFor(
    `HostpulseMissingPushes for ${VICTIM}`,
    async () => {
      const a = await missingPushes();
      return a.some((x) => x.labels.instance === VICTIM) ? a : undefined;
    },
    40000,
  );
}

beforeAll(async () => {
  // CI runs `npm test`, which builds first; a lone `npx jest test/stack` may not have.
  if (!fs.existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  pushgateway = await startPushgateway();
  alertmanager = await startAlertmanager();
  prometheus = await startPrometheus({
    pushgatewayUrl: pushgateway.url,
    alertmanagerUrl: alertmanager.url,
    scrapeInterval: '2s',
    evaluationInterval: '1s',
  });
  load = spawnTracked('node', [path.join(ROOT, 'deploy', 'load', 'memory-load.js')], {
    env: { ...process.env, LOAD_SCALE: '0.25' },
  });
  for (const name of HOSTS) {
    fs.writeFileSync(kmsgOf(name), '');
    agents.set(
      name,
      spawnCli([
        'run',
        '--pushgateway-url',
        pushgateway.url,
        '--instance',
        name,
        '--interval',
        '1s',
        '--top',
        '10',
        // The host dashboard's "Process detail" row must return data too.
        '--process-detail',
        'pss,io,fds',
        '--kmsg-path',
        kmsgOf(name),
        '--spool-dir',
        spoolOf(name),
        ...cgroups.agentArgs,
        '--log-format',
        'json',
        '--log-level',
        'warn',
      ]),
    );
  }
}, 90000);

afterAll(async () => {
  await Promise.all([...agents.values()].map((a) => a.stop()));
  await load?.stop();
  await prometheus?.stop();
  await alertmanager?.stop();
  await pushgateway?.stop();
  await cgroups.remove();
  fs.rmSync(KMSG_DIR, { recursive: true, force: true });
});

test('every agent shows up in Prometheus under its own instance, with its interval', async () => {
  const samples = await allAgentsInPrometheus();
  expect(samples.map((s) => [s.metric.instance, s.metric.job, s.value[1]])).toEqual(
    HOSTS.map((h) => [h, 'hostpulse', '1']),
  );
  // The synthetic load is visible as its own process group on every host.
  const spiky = await waitFor('load-spiky group on every host', async () => {
    const s = await prometheus.query('hostpulse_group_resident_memory_bytes{group="load-spiky"}');
    return s.length === HOSTS.length ? s : undefined;
  });
  expect(instancesOf(spiky)).toEqual(HOSTS);
  for (const h of HOSTS) expect(agents.get(h)?.child.exitCode).toBeNull();
}, 60000);

test('a SIGKILLed agent fires HostpulseMissingPushes for that host only', async () => {
  // Every agent is pushing and none is reported missing.
  await allAgentsInPrometheus();
  expect(await missingPushes()).toEqual([]);

  const alerts = await killVictimAndWaitForAlert();
  expect(alerts.map((a) => a.labels.instance)).toEqual([VICTIM]);
  expect(['pending', 'firing']).toContain(alerts[0].state);
  expect(alerts[0].labels.severity).toBe('critical');
  expect(alerts[0].annotations.description).toContain(VICTIM);

  // The Pushgateway still holds the dead host's last push: this is why the rule cannot use absent().
  const held = (await gatewayMetrics(pushgateway.url)).get('push_time_seconds') ?? [];
  expect(held.map((s) => s.labels.instance).sort()).toEqual(HOSTS);

  // Over the whole run, at no evaluation did the alert include a host that kept pushing.
  const ever = await prometheus.query(
    'count by(instance) (max_over_time(ALERTS{alertname="HostpulseMissingPushes"}[10m]))',
  );
  expect(instancesOf(ever)).toEqual([VICTIM]);

  // Prometheus hands the firing alert to Alertmanager.
  const inAm = await waitFor('the alert in Alertmanager', async () => {
    const a = await alertmanager.alerts();
    return a.find((x) => x.labels.alertname === 'HostpulseMissingPushes') ?? undefined;
  });
  expect(inAm.labels.instance).toBe(VICTIM);
}, 60000);

test('every dashboard query is valid PromQL and returns data from the live agents', async () => {
  // A killed host gives the Alerts panels a firing alert to show (already done when run after the test above).
  await killVictimAndWaitForAlert();
  // rate() over $__rate_interval (30s here) needs two scrapes of every live host.
  await waitFor(
    'two scrapes of the live hosts',
    async () =>
      (await prometheus.query('rate(hostpulse_host_cpu_seconds_total{mode="idle"}[30s])')).length >= HOSTS.length - 1
        ? true
        : undefined,
    40000,
  );
  const live = HOSTS.find((h) => h !== VICTIM) as string;
  // An OOM kill on a live host gives the OOM panels a victim to show.
  fs.appendFileSync(kmsgOf(live), fs.readFileSync(OOM_RECORDS));
  await waitFor(
    'the OOM victim in Prometheus',
    async () =>
      (await prometheus.query(`hostpulse_oom_kills_total{instance="${live}"}`)).length > 0 ? true : undefined,
    40000,
  );
  // Kernels without PSI have no /proc/pressure: the agent then leaves the metric out (absent, not zero).
  const psi = fs.existsSync('/proc/pressure/memory');
  const results = await runDashboardQueries(
    (q) => prometheus.query(q),
    live,
    (q) => (!psi && q.includes('memory_pressure')) || cgroups.mayBeEmpty(q),
  );
  expect(results.length).toBeGreaterThan(30);
  expect(results.filter((r) => r.error !== undefined)).toEqual([]);
}, 60000);
