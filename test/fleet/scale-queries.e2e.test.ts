import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { writeFleetFile, loadPrometheus } from '../../bench/fleet-data/main';
import { hostKind, instanceName, type FleetShape } from '../../bench/fleet-data/synthetic-series';
import { fetchAtRisk } from '../../agent/fleet/at-risk-fetch';
import { fetchGroupHosts } from '../../agent/fleet/commands/group';
import { fetchGroups, fetchHosts, fetchOoms, fetchProcesses } from '../../agent/fleet/fetch';
import type { PrometheusClient } from '../../agent/fleet/prometheus-client';
import {
  groupCpuQueries,
  groupQueries,
  hostQueries,
  recordedGroupCpu,
  recordedGroupCpuQueries,
  recordedGroupQueries,
  recordedHostCpu,
  type Thresholds,
} from '../../agent/fleet/promql';
import { vectorOf, type QueryAnswer, type VectorSample } from '../../agent/fleet/vector';
import * as oracle from './oracle/fetch';
import { freePort, spawnTracked, waitReady, type Spawned } from '../support/processes';

/**
 * The fleet queries rewritten for 10,000 hosts give the rows the queries
 * before them gave (test/fleet/oracle/, with today's row builders), on a
 * real Prometheus backfilled (promtool) with ~3,500 synthetic series of 48
 * hosts: behind a gateway and remote-written, live and stale (a stopped
 * remote-written host is past the 5-minute lookback, so its age comes from
 * the subquery), over the thresholds, with OOM kills. Both sides query at the
 * same evaluation time, so ages agree to the digit.
 */

const HOSTS = 48;
const INTERVAL = 60;
const WINDOW = '2m';
const T: Thresholds = { cpuPercent: 90, memoryPercent: 90 };
/** The recording rule `fleet groups` reads (its window is WINDOW). */
const RULE = path.join(__dirname, '..', '..', 'prometheus', 'rules', 'hostpulse-fleet.yml');

const why = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error ? 'promtool is not installed' : undefined;
if (why) console.log(`scale query tests skipped: ${why}`);

/** An instant-query client pinned to one evaluation time (the CLI's asks at "now"). */
function pinnedClient(url: string, time: number, counter: { queries: number }): PrometheusClient {
  return {
    url,
    async query(promql: string): Promise<VectorSample[]> {
      counter.queries++;
      const res = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        body: new URLSearchParams({ query: promql, time: String(time) }),
      });
      const samples = vectorOf((await res.json()) as QueryAnswer);
      if (typeof samples === 'string') throw new Error(`${samples}: ${promql}`);
      return samples;
    },
  };
}

(why ? describe.skip : describe)('the fleet queries at scale give the rows they gave before', () => {
  let dir: string;
  let prom: Spawned;
  let url: string;
  let at: PrometheusClient;
  const sent = { queries: 0 };
  // Queries are made 10 minutes after the first sample (as the bench loads the data up to now).
  const now = Math.floor(Date.now() / 1000 / INTERVAL) * INTERVAL - 3600;
  const shape: FleetShape = {
    hosts: HOSTS,
    groups: 10,
    top: 5,
    cgroups: 2,
    interval: INTERVAL,
    from: now - 600,
    to: now,
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-scale-'));
    const file = path.join(dir, 'fleet.om');
    writeFleetFile(shape, 'openmetrics', file);
    loadPrometheus(file, path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1m\n');
    url = `http://127.0.0.1:${await freePort()}`;
    await startPrometheus();
    at = pinnedClient(url, now, sent);
  }, 90000);

  async function startPrometheus(): Promise<void> {
    prom = spawnTracked('prometheus', [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=${new URL(url).host}`,
      '--log.level=warn',
    ]);
    await waitReady('prometheus', prom, url, 60000);
  }

  afterAll(async () => {
    await prom?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fleet hosts and fleet unhealthy: the same rows, the stopped remote-written host aged by the subquery', async () => {
    const rows = await fetchHosts(at, WINDOW, T);
    expect(rows).toEqual(await oracle.fetchHosts(at, WINDOW, T));
    expect(rows).toHaveLength(HOSTS);
    // The data has every kind of host the queries tell apart (else this test would prove little).
    const byName = new Map(rows.map((r) => [r.instance, r]));
    const written = instanceName(7);
    expect(hostKind(7)).toMatchObject({ written: true, stale: true });
    expect(byName.get(written)?.status).toBe('stale');
    expect(byName.get(written)?.last_push_age_seconds).toBe(480);
    expect(byName.get(instanceName(5))?.reasons.join()).toMatch(/^cpu:/);
    expect(rows.filter((r) => r.status === 'ok').length).toBeGreaterThan(HOSTS / 2);
    for (const h of [instanceName(3), instanceName(7), instanceName(14)]) {
      expect(await fetchHosts(at, WINDOW, T, h)).toEqual(await oracle.fetchHosts(at, WINDOW, T, h));
    }
  });

  it("fleet groups: the same rows, the group health from the host rows' one health rule", async () => {
    for (const minHosts of [2, 40]) {
      const { rows, cpuSource } = await fetchGroups(at, WINDOW, T, minHosts);
      // No rule records the group CPU on this Prometheus (yet): rated from the counters.
      expect(cpuSource).toBe('raw');
      expect(rows).toEqual(await oracle.fetchGroups(at, WINDOW, T, minHosts));
      // svc-000 ... on most hosts, /system.slice/svc-000.service ... where the agent groups by cgroup.
      expect(rows).toHaveLength(20);
    }
  });

  it('fleet group NAME, fleet ooms and fleet top: the same rows', async () => {
    const group = await fetchGroupHosts(at, WINDOW, T, 'svc-003');
    expect(group.rows).toEqual(await oracle.fetchGroupHosts(at, WINDOW, T, 'svc-003'));
    const ooms = await fetchOoms(at, '1h');
    expect(ooms).toEqual(await oracle.fetchOoms(at, '1h'));
    expect(ooms.map((r) => r.instance)).toEqual([instanceName(11)]);
    const top = await fetchProcesses(at, instanceName(3), WINDOW);
    expect(top).toEqual(await oracle.fetchProcesses(at, instanceName(3), WINDOW));
  });

  it('fleet at-risk: the same rows, with the process counts of hosts that group by cgroup', async () => {
    const t = { usedPercent: 90, pressurePercent: 10 };
    const rows = await fetchAtRisk(at, WINDOW, t);
    expect(rows).toEqual(await oracle.fetchAtRisk(at, WINDOW, t));
    expect(rows.filter((r) => r.at_risk).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.processes !== null).length).toBeGreaterThan(0);
    // `fleet at-risk --limit N`: the worst N, their process counts asked for once they are known.
    for (const limit of [1, 5, 40, rows.length]) {
      expect(await fetchAtRisk(at, WINDOW, t, { limit })).toEqual(rows.slice(0, limit));
    }
    // `fleet watch`: one host's cgroups, selected in the store.
    const one = rows.find((r) => r.processes !== null)?.instance ?? '';
    expect(await fetchAtRisk(at, WINDOW, t, { instance: one })).toEqual(rows.filter((r) => r.instance === one));
  });

  /**
   * Prometheus evaluates the shipped rules at the query time (promtool's rule backfill asks it over its
   * HTTP API, as the rule manager would at that instant) and loads the results as blocks. The rules that
   * read another's recorded series (`pass` 2; the rule manager evaluates a group's rules in order, so they
   * see this evaluation's) are evaluated here at the query time once those are loaded, and loaded the same
   * way (promtool's rule backfill gives them no samples).
   */
  async function backfillRules(pass: 1 | 2): Promise<void> {
    type Rule = { record: string; expr: string; labels?: Record<string, string> };
    const { groups } = YAML.parse(fs.readFileSync(RULE, 'utf8')) as { groups: Array<{ rules: Rule[] }> };
    const readsRecorded = (r: Rule) => /\w:\w/.test(r.expr.replace(/\[[^\]]*\]/g, ''));
    const rules = groups.flatMap((g) => g.rules).filter((r) => readsRecorded(r) === (pass === 2));
    expect(rules.length).toBeGreaterThan(0);
    const blocks = path.join(dir, `recorded-${pass}`);
    if (pass === 1) {
      const file = path.join(dir, 'rules-1.yml');
      fs.writeFileSync(file, YAML.stringify({ groups: [{ name: 'hostpulse-fleet', rules }] }));
      const backfill = spawnSync(
        'promtool',
        [
          'tsdb',
          'create-blocks-from',
          'rules',
          `--url=${url}`,
          `--start=${now - INTERVAL}`,
          `--end=${now}`,
          `--output-dir=${blocks}`,
          file,
        ],
        { encoding: 'utf8' },
      );
      expect(backfill.stderr + backfill.stdout).not.toMatch(/error/i);
      expect(backfill.status).toBe(0);
    } else {
      const lines: string[] = [];
      for (const rule of rules) {
        for (const sample of await at.query(rule.expr)) {
          const labels = { ...sample.metric, ...rule.labels };
          delete labels.__name__;
          const text = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
          lines.push(`${rule.record}{${text.join(',')}} ${sample.value[1]} ${now}`);
        }
      }
      expect(lines.length).toBeGreaterThan(0);
      const file = path.join(dir, 'rules-2.om');
      fs.writeFileSync(file, `${lines.join('\n')}\n# EOF\n`);
      loadPrometheus(file, blocks);
    }
    await prom.stop();
    for (const b of fs.readdirSync(blocks)) fs.renameSync(path.join(blocks, b), path.join(dir, 'data', b));
    await startPrometheus();
  }

  /** A client that remembers which queries had an answer. */
  function recording(): { client: PrometheusClient; answered: string[] } {
    const answered: string[] = [];
    return {
      answered,
      client: {
        url,
        async query(promql: string) {
          const samples = await at.query(promql);
          if (samples.length > 0) answered.push(promql);
          return samples;
        },
      },
    };
  }

  // Last: it restarts Prometheus with the recorded series added.
  it('fleet hosts and groups from the recording rules: the same rows as from the counters, and the counters for another window', async () => {
    const fromCounters = await fetchGroups(at, WINDOW, T, 2);
    expect(fromCounters.cpuSource).toBe('raw');
    expect(fromCounters.rows.filter((r) => (r.cpu_max_percent ?? 0) > 0).length).toBeGreaterThan(0);
    const hosts = await oracle.fetchHosts(at, WINDOW, T);
    expect(hosts.filter((r) => r.reasons.some((why) => why.startsWith('cpu:'))).length).toBeGreaterThan(0);

    await backfillRules(1);
    // The per-host series: the host CPU of `fleet hosts` and the CPU per host and group, aggregated by the CLI.
    const first = recording();
    expect(await fetchHosts(first.client, WINDOW, T)).toEqual(hosts);
    const perHost = await fetchGroups(first.client, WINDOW, T, 2);
    expect(perHost.cpuSource).toBe('recorded');
    expect(perHost.rows).toEqual(fromCounters.rows);
    expect(first.answered).toEqual(
      expect.arrayContaining([
        recordedHostCpu(WINDOW),
        recordedGroupQueries().hosts,
        groupCpuQueries(recordedGroupCpu(WINDOW)).cpuAvg,
      ]),
    );
    // Nothing rated or aggregated over every host and group once the rules record them.
    expect(first.answered).not.toContain(hostQueries(WINDOW).cpu);
    expect(first.answered).not.toContain(groupQueries().hosts);

    await backfillRules(2);
    // The per-group CPU recorded too: read as it is.
    const second = recording();
    const perGroup = await fetchGroups(second.client, WINDOW, T, 2);
    expect(perGroup.cpuSource).toBe('recorded');
    expect(perGroup.rows).toEqual(fromCounters.rows);
    expect(second.answered).toContain(recordedGroupCpuQueries(WINDOW).cpuAvg);
    expect(second.answered).not.toContain(groupCpuQueries(recordedGroupCpu(WINDOW)).cpuAvg);
    expect(await fetchGroupHosts(at, WINDOW, T, 'svc-003')).toEqual(
      expect.objectContaining({ rows: await oracle.fetchGroupHosts(at, WINDOW, T, 'svc-003') }),
    );

    // The rules record one window: another --rate-window rates the counters, as on a stack without the rules.
    const other = await fetchGroups(at, '3m', T, 2);
    expect(other.cpuSource).toBe('raw');
    expect(other.rows).toEqual(await oracle.fetchGroups(at, '3m', T, 2));
    expect(await fetchHosts(at, '3m', T)).toEqual(await oracle.fetchHosts(at, '3m', T));
  });
});
