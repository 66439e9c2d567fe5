import { UsageError } from '../errors';
import { buildGroupRows, GroupRow } from './group-rows';
import { buildHostRows, HostRow } from './host-rows';
import { buildProcessRows, ProcessRow } from './process-rows';
import { buildOomRows, OomHostRow } from './oom-rows';
import { groupQueries, hostInterval, hostQueries, oomQueries, processQueries, Thresholds } from './promql';
import { PrometheusClient } from './prometheus-client';
import { byLabel, byLabels } from './vector';

/**
 * The I/O of the fleet commands: send the queries of promql.ts in parallel
 * and hand the answers to the pure row builders. Nothing else lives here.
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

/**
 * Unknown host is a usage error (exit 2): the name given on the command line matches no pushing
 * agent. Known hosts are those of `fleet hosts`, so a stopped remote-writing host stays known as a
 * dead one behind a Pushgateway does.
 */
export async function requireKnownHost(client: PrometheusClient, instance: string): Promise<void> {
  const found = await client.query(`count(${hostInterval(instance)})`);
  if (found.length > 0) return;
  const known = [...byLabel(await client.query(`max by (instance) (${hostInterval()})`), 'instance').keys()].sort();
  const list = known.length === 0 ? 'no hosts report to it' : `known hosts: ${abbreviate(known, 5)}`;
  throw new UsageError(
    `unknown host "${instance}": no hostpulse metrics for it in Prometheus at ${client.url} (${list})`,
  );
}

function abbreviate(names: string[], max: number): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
