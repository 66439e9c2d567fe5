import { buildGroupRows, GroupRow } from '../../../agent/fleet/group-rows';
import { buildHostRows, HostRow } from '../../../agent/fleet/host-rows';
import { buildProcessRows, ProcessRow } from '../../../agent/fleet/process-rows';
import { buildOomRows, OomHostRow } from '../../../agent/fleet/oom-rows';
import { atRiskQueries, groupQueries, hostQueries, oomQueries, processQueries, Thresholds } from './promql';
import { PrometheusClient } from '../../../agent/fleet/prometheus-client';
import { byLabel, byLabels } from '../../../agent/fleet/vector';
import { buildGroupHostRows, type GroupHostRow } from '../../../agent/fleet/group-host-rows';
import { GROUPING_QUERY, groupHostQueries } from '../../../agent/fleet/group-host-queries';
import { groupingByInstance } from '../../../agent/fleet/grouping';
import { buildAtRiskRows, type AtRiskRow, type AtRiskThresholds } from '../../../agent/fleet/at-risk-rows';

/**
 * The fetch functions as they were before the rewrite for 10,000 hosts: the
 * oracle of test/fleet/scale-queries.e2e.test.ts, with today's row builders.
 */

export async function fetchHosts(
  client: PrometheusClient,
  window: string,
  t: Thresholds,
  instance?: string,
): Promise<HostRow[]> {
  const q = hostQueries(window, instance);
  const [interval, pushAge, cpu, memory, oomKills] = await Promise.all(
    [q.interval, q.pushAge, q.cpu, q.memory, q.oomKills].map(async (promql) =>
      byLabel(await client.query(promql), 'instance'),
    ),
  );
  return buildHostRows({ interval, pushAge, cpu, memory, oomKills }, t);
}

export async function fetchProcesses(
  client: PrometheusClient,
  instance: string,
  window: string,
): Promise<ProcessRow[]> {
  const q = processQueries(instance, window);
  const [rss, cpu] = await Promise.all(
    [q.rss, q.cpu].map(async (promql) => byLabels(await client.query(promql), ['pid', 'comm'])),
  );
  return buildProcessRows(rss, cpu);
}

export async function fetchGroups(
  client: PrometheusClient,
  window: string,
  t: Thresholds,
  minHosts: number,
): Promise<GroupRow[]> {
  const q = groupQueries(window, t);
  const [hosts, healthyHosts, memoryAvg, memoryMax, cpuAvg, cpuMax] = await Promise.all(
    [q.hosts, q.healthyHosts, q.memoryAvg, q.memoryMax, q.cpuAvg, q.cpuMax].map(async (promql) =>
      byLabel(await client.query(promql), 'group'),
    ),
  );
  return buildGroupRows({ hosts, healthyHosts, memoryAvg, memoryMax, cpuAvg, cpuMax }, minHosts);
}

export async function fetchOoms(client: PrometheusClient, since: string): Promise<OomHostRow[]> {
  const q = oomQueries(since);
  const [hostKills, victimKills, victimRss] = await Promise.all([
    client.query(q.hostKills).then((r) => byLabel(r, 'instance')),
    client.query(q.victimKills).then((r) => byLabels(r, ['instance', 'comm', 'constraint'])),
    client.query(q.victimRss).then((r) => byLabels(r, ['instance', 'comm'])),
  ]);
  return buildOomRows({ hostKills, victimKills, victimRss });
}

/** `fleet group NAME`'s rows as agent/fleet/commands/group.ts built them. */
export async function fetchGroupHosts(
  client: PrometheusClient,
  window: string,
  t: Thresholds,
  group: string,
): Promise<GroupHostRow[]> {
  const q = groupHostQueries(group, window);
  const [processes, rss, cpu, hosts, grouping] = await Promise.all([
    client.query(q.processes).then((r) => byLabel(r, 'instance')),
    client.query(q.rss).then((r) => byLabel(r, 'instance')),
    client.query(q.cpu).then((r) => byLabel(r, 'instance')),
    fetchHosts(client, window, t),
    client.query(GROUPING_QUERY).then(groupingByInstance),
  ]);
  return buildGroupHostRows({ processes, rss, cpu }, hosts, grouping);
}

/** `fleet at-risk`'s rows as they were: every group's process count shipped, joined by the builder. */
export async function fetchAtRisk(client: PrometheusClient, window: string, t: AtRiskThresholds): Promise<AtRiskRow[]> {
  const q = atRiskQueries(window);
  const key = ['instance', 'cgroup'];
  const [usage, limit, pressure, kills, processes] = await Promise.all([
    client.query(q.usage).then((r) => byLabels(r, key)),
    client.query(q.limit).then((r) => byLabels(r, key)),
    client.query(q.pressure).then((r) => byLabels(r, key)),
    client.query(q.kills).then((r) => byLabels(r, key)),
    client.query(q.processes).then((r) => byLabels(r, ['instance', 'group'])),
  ]);
  return buildAtRiskRows({ usage, limit, pressure, kills, processes }, t);
}
