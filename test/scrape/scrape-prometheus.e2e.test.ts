/**
 * Pull mode for real: a Debian Prometheus running the project's prometheus.yml
 * (its `hostpulse` job reading file_sd targets) and alert rules scrapes real
 * agents started with `--sink scrape`; the fleet CLI asks that Prometheus.
 */
import { loadDashboards, panelQueries, substituteVariables } from '../stack/dashboard-queries';
import * as fs from 'fs';
import { makeCerts, tlsAndAuthWebConfig, USER } from '../support/certs';
import { requireBuiltCli, runJson, spawnCli } from '../support/cli';
import { freePort, waitFor, waitHttp, type Spawned } from '../support/processes';
import { startPrometheus, type RunningPrometheus } from '../support/prometheus';

interface HostRow {
  instance: string;
  status: string;
  reasons: string[];
  last_push_age_seconds: number | null;
}

let prometheus: RunningPrometheus;
let f: (name: string) => string;
let plainPort: number;
let tlsPort: number;
const agents: Spawned[] = [];

/** The agent as pull mode runs it; the interval matches Prometheus' scrape interval (2 s here). */
function startAgent(port: number, extra: string[] = []): Spawned {
  const a = spawnCli([
    'run',
    '--sink',
    'scrape',
    '--listen-address',
    `127.0.0.1:${port}`,
    '--interval',
    '2s',
    '--collectors',
    'processes,host',
    ...extra,
  ]);
  agents.push(a);
  return a;
}

const upOf = async (job: string, instance?: string): Promise<string | undefined> => {
  const sel = instance === undefined ? `up{job="${job}"}` : `up{job="${job}",instance="${instance}"}`;
  return (await prometheus.query(sel))[0]?.value[1];
};

/** `fleet hosts`, with thresholds no host reaches: a busy test machine must not make a live host `unhealthy`. */
const hosts = async (): Promise<HostRow[]> =>
  (
    await runJson<HostRow[]>([
      'fleet',
      'hosts',
      '--prometheus-url',
      prometheus.url,
      '--cpu-threshold',
      '100',
      '--mem-threshold',
      '100',
    ])
  ).rows;

beforeAll(async () => {
  requireBuiltCli();
  f = makeCerts();
  fs.writeFileSync(f('web.yml'), tlsAndAuthWebConfig(f));
  plainPort = await freePort();
  tlsPort = await freePort();
  const tlsJob = (name: string, passwordFile: string) => ({
    job_name: name,
    scheme: 'https',
    basic_auth: { username: USER, password_file: passwordFile },
    tls_config: { ca_file: f('ca.crt'), cert_file: f('client.crt'), key_file: f('client.key') },
    static_configs: [{ targets: [`127.0.0.1:${tlsPort}`] }],
  });
  prometheus = await startPrometheus({
    // No Pushgateway in pull mode: its job points at a closed port and is simply down.
    pushgatewayUrl: 'http://127.0.0.1:9',
    scrapeInterval: '2s',
    evaluationInterval: '1s',
    // `localhost`, not 127.0.0.1: the relabelling must turn the target into a host name without the port.
    files: { 'targets/hostpulse/agents.yml': `- targets: ['localhost:${plainPort}']\n` },
    extraScrapeConfigs: [tlsJob('hostpulse-tls', f('password')), tlsJob('hostpulse-tls-wrong', f('wrong-password'))],
  });
}, 60000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await prometheus?.stop();
});

test('Prometheus scrapes the agent: up == 1, its metrics under the host name, listed by fleet hosts', async () => {
  startAgent(plainPort);
  await waitFor('up == 1', async () => ((await upOf('hostpulse', 'localhost')) === '1' ? true : undefined), 60000);
  const rss = await prometheus.query('hostpulse_process_resident_memory_bytes{job="hostpulse",instance="localhost"}');
  expect(rss.length).toBeGreaterThan(0);
  const row = await waitFor('localhost listed ok', async () =>
    (await hosts()).find((r) => r.instance === 'localhost' && r.status === 'ok'),
  );
  expect(row.reasons).toEqual([]);
});

test('a killed agent turns stale and HostpulseScrapeDown fires; a restarted one comes back', async () => {
  const first = agents[0] ?? startAgent(plainPort);
  // Scraped for a while first (6 good scrapes), as a host in service is: its age is then known after it stops.
  await waitFor(
    'six good scrapes',
    async () =>
      (await prometheus.query('sum_over_time(up{job="hostpulse",instance="localhost"}[1m]) >= 6')).length > 0
        ? true
        : undefined,
    60000,
  );
  first.child.kill('SIGKILL');
  await first.exited;

  const stale = await waitFor(
    'localhost stale',
    async () => (await hosts()).find((r) => r.instance === 'localhost' && r.status === 'stale'),
    40000,
  );
  expect(stale.reasons.join(' ')).toMatch(/^stale:/);
  // The host dashboard's "Push age" panel says the same as the CLI for a scraped host: its last
  // sample is found at the scrape's own resolution, not rounded to a minute or missing.
  const [hostDetail] = [...loadDashboards()].filter(([file]) => file === 'host-detail.json').map(([, d]) => d);
  const panelAge = panelQueries(hostDetail).find((q) => q.panel === 'Push age');
  const [cliAge, dashAge] = await Promise.all([
    hosts().then((rows) => rows.find((r) => r.instance === 'localhost')?.last_push_age_seconds),
    prometheus
      .query(substituteVariables(panelAge?.expr ?? 'absent', { instance: 'localhost' }))
      .then((s) => Number(s[0]?.value[1])),
  ]);
  expect(cliAge).toEqual(expect.any(Number));
  expect(Math.abs(dashAge - (cliAge ?? NaN))).toBeLessThan(15);
  const alert = await waitFor(
    'HostpulseScrapeDown firing',
    async () =>
      (await prometheus.alerts()).find(
        (a) =>
          a.labels.alertname === 'HostpulseScrapeDown' && a.labels.instance === 'localhost' && a.state === 'firing',
      ),
    60000,
  );
  expect(alert.annotations.summary).toBe('Host localhost stopped answering scrapes');
  // The push-path alert leaves scraped hosts alone: one page, not two.
  const alerts = await prometheus.alerts();
  expect(alerts.filter((a) => a.labels.alertname === 'HostpulseMissingPushes')).toEqual([]);

  const again = startAgent(plainPort);
  await waitHttp('the restarted agent', again, `http://127.0.0.1:${plainPort}/-/ready`);
  await waitFor(
    'up == 1 again',
    async () => ((await upOf('hostpulse', 'localhost')) === '1' ? true : undefined),
    60000,
  );
  await waitFor('localhost ok again', async () =>
    (await hosts()).find((r) => r.instance === 'localhost' && r.status === 'ok'),
  );
  await waitFor(
    'the alert resolved',
    async () =>
      (await prometheus.alerts()).some(
        (a) => a.labels.alertname === 'HostpulseScrapeDown' && a.labels.instance === 'localhost',
      )
        ? undefined
        : true,
    60000,
  );
}, 240000);

test('Prometheus scrapes through TLS with a client certificate and basic auth; a wrong password is up == 0', async () => {
  startAgent(tlsPort, ['--web-config-file', f('web.yml')]);
  await waitFor('TLS up == 1', async () => ((await upOf('hostpulse-tls')) === '1' ? true : undefined), 60000);
  const series = await prometheus.query('hostpulse_host_memory_total_bytes{job="hostpulse-tls"}');
  expect(series.length).toBe(1);
  // The same target, scraped with the wrong password: refused with 401 (up == 0), the agent serving on.
  const lastError = await waitFor('the wrong password refused', async () => {
    const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: Array<{ labels: { job: string }; lastError: string; health: string }> };
    };
    const wrong = targets.data.activeTargets.find((t) => t.labels.job === 'hostpulse-tls-wrong');
    return wrong?.lastError.includes('401') ? wrong.lastError : undefined;
  });
  expect(lastError).toMatch(/401 Unauthorized/);
  expect(await upOf('hostpulse-tls-wrong')).toBe('0');
  expect(await upOf('hostpulse-tls')).toBe('1');
});
