import type { OomHostRow } from '../../agent/fleet/oom-rows';
import { waitFor } from '../support/processes';
import { RunningServer, startPushgateway } from '../support/pushgateway';
import { RunningPrometheus, startPrometheus } from '../support/prometheus';
import { requireBuiltCli, runCli, runJson } from '../support/cli';

/**
 * `fleet ooms` against a real Prometheus scraping a real Pushgateway, fed
 * with what agents push (PUT, as the agent does): the PromQL must count a
 * victim series born at 1 (its first kill) and the kernel counter's increase.
 */
let gateway: RunningServer;
let prom: RunningPrometheus;

async function put(instance: string, body: string): Promise<void> {
  const res = await fetch(`${gateway.url}/metrics/job/hostpulse/instance/${instance}`, { method: 'PUT', body });
  if (!res.ok) throw new Error(`push ${instance}: ${res.status} ${await res.text()}`);
}

const host = (instance: string, hostKills: number, victims: Array<[string, string, number, number]> = []) =>
  put(
    instance,
    [
      '# TYPE hostpulse_agent_interval_seconds gauge',
      'hostpulse_agent_interval_seconds 2',
      '# TYPE hostpulse_host_oom_kills_total counter',
      `hostpulse_host_oom_kills_total ${hostKills}`,
      '# TYPE hostpulse_oom_kills_total counter',
      ...victims.map(
        ([comm, constraint, n]) => `hostpulse_oom_kills_total{comm="${comm}",constraint="${constraint}"} ${n}`,
      ),
      '# TYPE hostpulse_oom_victim_resident_memory_bytes gauge',
      ...victims.map(([comm, , , rss]) => `hostpulse_oom_victim_resident_memory_bytes{comm="${comm}"} ${rss}`),
      '',
    ].join('\n'),
  );

beforeAll(async () => {
  requireBuiltCli();
  gateway = await startPushgateway();
  prom = await startPrometheus({ pushgatewayUrl: gateway.url, scrapeInterval: '2s', evaluationInterval: '2s' });
  // Before: no kills anywhere that the window would count.
  await host('host-a', 5);
  await host('host-b', 3);
  await host('host-c', 10);
  await waitFor(
    'first scrape',
    async () => ((await prom.query('hostpulse_host_oom_kills_total')).length === 3 ? true : undefined),
    30000,
    500,
  );
  await new Promise((r) => setTimeout(r, 4500)); // two more scrapes of the "before" state
  // After: host-a's kernel counted 2 and its log named java twice; host-c's log named python 5 times
  // (its kernel counter not yet scraped higher); host-b had none.
  await host('host-a', 7, [['java', 'cgroup', 2, 1073741824]]);
  await host('host-c', 10, [['python', 'host', 5, 52428800]]);
  await waitFor(
    'the new values scraped twice',
    async () => {
      const victims = await prom.query('count_over_time(hostpulse_oom_kills_total[1m])');
      const a = await prom.query('count_over_time((hostpulse_host_oom_kills_total{instance="host-a"} == 7)[1m:1s])');
      return victims.length === 2 && victims.every((s) => Number(s.value[1]) >= 2) && a.length === 1 ? true : undefined;
    },
    30000,
    500,
  );
  await new Promise((r) => setTimeout(r, 2500));
}, 90000);

afterAll(async () => {
  await prom?.stop();
  await gateway?.stop();
});

it('fleet ooms --since 5m: hosts with kills, worst first, with their victims', async () => {
  const { code, rows } = await runJson<OomHostRow[]>(['fleet', 'ooms', '--prometheus-url', prom.url, '--since', '5m']);
  expect(code).toBe(0);
  expect(rows.map((r) => r.instance)).toEqual(['host-c', 'host-a']);
  expect(rows[0]).toEqual({
    instance: 'host-c',
    kills: 5,
    victims: [{ comm: 'python', constraint: 'host', kills: 5, last_rss_bytes: 52428800 }],
  });
  expect(rows[1].victims).toEqual([{ comm: 'java', constraint: 'cgroup', kills: 2, last_rss_bytes: 1073741824 }]);
  // increase() extrapolates a young series a little: the kernel's 2 may read as 2 or 3.
  expect(rows[1].kills).toBeGreaterThanOrEqual(2);
  expect(rows[1].kills).toBeLessThanOrEqual(3);
}, 30000);

it('table output, and a bad --since is a usage error', async () => {
  const table = await runCli(['fleet', 'ooms', '--prometheus-url', prom.url, '--since', '5m', '--output', 'table']);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/^host-c\s+5\s+python\s+host\s+5\s+50(\.0)? MiB/m);
  const bad = await runCli(['fleet', 'ooms', '--prometheus-url', prom.url, '--since', 'yesterday']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--since: "yesterday" is not a PromQL duration/);
}, 30000);
