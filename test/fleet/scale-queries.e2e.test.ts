import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeFleetFile, loadPrometheus } from '../../bench/fleet-data/main';
import { hostKind, instanceName, type FleetShape } from '../../bench/fleet-data/synthetic-series';
import { fetchAtRisk } from '../../agent/fleet/at-risk-fetch';
import { fetchGroupHosts } from '../../agent/fleet/commands/group';
import { fetchGroups, fetchHosts, fetchOoms, fetchProcesses } from '../../agent/fleet/fetch';
import type { PrometheusClient } from '../../agent/fleet/prometheus-client';
import type { Thresholds } from '../../agent/fleet/promql';
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
  });

  // Last: it restarts Prometheus with the recorded series added.
  it('fleet groups from the recording rule: the same rows as from the counters, and the counters for another window', async () => {
    const fromCounters = await fetchGroups(at, WINDOW, T, 2);
    expect(fromCounters.cpuSource).toBe('raw');
    expect(fromCounters.rows.filter((r) => (r.cpu_max_percent ?? 0) > 0).length).toBeGreaterThan(0);
    // Prometheus evaluates the shipped rule at the query time (promtool's rule backfill asks it over its
    // HTTP API, as the rule manager would at that instant) and loads the result as a block.
    const blocks = path.join(dir, 'recorded');
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
        RULE,
      ],
      { encoding: 'utf8' },
    );
    expect(backfill.stderr + backfill.stdout).not.toMatch(/error/i);
    expect(backfill.status).toBe(0);
    await prom.stop();
    for (const b of fs.readdirSync(blocks)) fs.renameSync(path.join(blocks, b), path.join(dir, 'data', b));
    await startPrometheus();

    const recorded = await fetchGroups(at, WINDOW, T, 2);
    expect(recorded.cpuSource).toBe('recorded');
    expect(recorded.rows).toEqual(fromCounters.rows);
    // The rule records one window: another --rate-window rates the counters, as on a stack without the rule.
    const other = await fetchGroups(at, '3m', T, 2);
    expect(other.cpuSource).toBe('raw');
    expect(other.rows).toEqual(await oracle.fetchGroups(at, '3m', T, 2));
  });
});
