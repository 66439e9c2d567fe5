import { UsageError } from '../errors';
import { buildGroupRows, type GroupColumns, GroupRow } from './group-rows';
import { buildHostRows, HostRow } from './host-rows';
import { buildProcessRows, ProcessRow } from './process-rows';
import { buildOomRows, OomHostRow } from './oom-rows';
import {
  groupCpuByHost,
  groupCpuQueries,
  groupQueries,
  groupUnhealthyHosts,
  hostInterval,
  hostQueries,
  type InstanceFilter,
  oomQueries,
  processQueries,
  recordedGroupCpu,
  recordedGroupCpuQueries,
  recordedGroupQueries,
  recordedHostCpu,
  Thresholds,
} from './promql';
import { PrometheusClient } from './prometheus-client';
import { byLabel, byLabels, labelKey, sampleValue, type VectorSample } from './vector';

/**
 * The I/O of the fleet commands: send the queries of promql.ts in parallel
 * and hand the answers to the pure row builders. Nothing else lives here.
 */

/**
 * Past this many hosts without a live age, their ages come from one
 * fleet-wide hostAge instead of a regex of their names (a query that long
 * would cost more than the subqueries it spares).
 */
export const MAX_HOSTS_BY_NAME = 500;

export interface FetchHostsOptions {
  /** false: leave out the OOM kills (every row's oom_kills_1h is null), for callers that only need the status. */
  oomKills?: boolean;
}

export async function fetchHosts(
  client: PrometheusClient,
  window: string,
  t: Thresholds,
  instance?: InstanceFilter,
  opts: FetchHostsOptions = {},
): Promise<HostRow[]> {
  const q = hostQueries(window, instance);
  const column = async (promql: string) => byLabel(await client.query(promql), 'instance');
  const [intervals, live, cpu, memory, oomKills] = await Promise.all([
    client.query(q.interval),
    // Named hosts: their full ages at once (a few hosts' subqueries are cheap); the fleet: live ages first.
    instance === undefined ? client.query(q.liveAge) : client.query(q.pushAge),
    // Named hosts: their counters (cheap, one round trip); the fleet: the recorded CPU when a rule records it.
    instance === undefined ? fleetCpu(client, window) : column(q.cpu),
    column(q.memory),
    opts.oomKills === false ? new Map<string, number | null>() : column(q.oomKills),
  ]);
  const interval = byLabel(intervals, 'instance');
  const pushAge = instance === undefined ? await fleetAges(client, window, intervals, live) : byLabel(live, 'instance');
  return buildHostRows({ interval, pushAge, cpu, memory, oomKills }, t);
}

/**
 * Every host's CPU %, from the series the rule of hostpulse-fleet.yml records
 * for this window when there are any (at 10,000 hosts rating the counters is
 * most of `fleet hosts`' time), else rated from the counters (a stack without
 * the rule, another --rate-window: one more round trip).
 */
async function fleetCpu(client: PrometheusClient, window: string): Promise<Map<string, number | null>> {
  const recorded = byLabel(await client.query(recordedHostCpu(window)), 'instance');
  if (recorded.size > 0) return recorded;
  return byLabel(await client.query(hostQueries(window).cpu), 'instance');
}

/**
 * Every host's push age, as `min by (instance) (hostAge())` answers: the live
 * ages (hostAgeLive), and for the instances with a (job, instance) that has
 * none (stopped remote-writing or scraped hosts) hostAge over just those.
 */
async function fleetAges(
  client: PrometheusClient,
  window: string,
  intervals: VectorSample[],
  live: VectorSample[],
): Promise<Map<string, number | null>> {
  const key = ['job', 'instance'];
  const liveKeys = byLabels(live, key);
  const dead = new Set<string>();
  for (const s of intervals) {
    if (s.metric.instance !== undefined && !liveKeys.has(labelKey(key.map((l) => s.metric[l] ?? ''))))
      dead.add(s.metric.instance);
  }
  const ages = new Map<string, number | null>();
  for (const s of live) {
    const name = s.metric.instance;
    if (name === undefined || dead.has(name)) continue;
    const v = sampleValue(s);
    const prev = ages.get(name);
    // min by (instance): the youngest of the host's jobs.
    ages.set(name, prev === undefined || prev === null ? v : v === null ? prev : Math.min(prev, v));
  }
  if (dead.size === 0) return ages;
  const names = dead.size > MAX_HOSTS_BY_NAME ? undefined : [...dead];
  for (const [name, v] of byLabel(await client.query(hostQueries(window, names).pushAge), 'instance')) {
    if (dead.has(name)) ages.set(name, v);
  }
  return ages;
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

/** Host names per query in a regex of names: a fleet that is mostly unhealthy costs a few queries, not one huge one. */
const NAMES_PER_QUERY = 500;

/** Where the CPU columns of `fleet groups` came from: the recording rule's series, or the raw counters. */
export type GroupCpuSource = 'recorded' | 'raw';

export interface GroupsAnswer {
  rows: GroupRow[];
  cpuSource: GroupCpuSource;
}

/**
 * Groups across the fleet: count/avg/max by group from Prometheus (one row
 * per group comes back), and the group health from the host rows of
 * fetchHosts (the one health rule, host-rows.ts): a group's unhealthy hosts
 * are counted by name.
 */
export async function fetchGroups(
  client: PrometheusClient,
  window: string,
  t: Thresholds,
  minHosts: number,
): Promise<GroupsAnswer> {
  const unhealthyCounts = fetchHosts(client, window, t).then(async (rows) => {
    const names = rows.filter((h) => h.status !== 'ok').map((h) => h.instance);
    const chunks: string[][] = [];
    for (let i = 0; i < names.length; i += NAMES_PER_QUERY) chunks.push(names.slice(i, i + NAMES_PER_QUERY));
    // The chunks at once: each is a second round trip after the host rows, and they add up one after another.
    const answers = await Promise.all(chunks.map((chunk) => client.query(groupUnhealthyHosts(chunk))));
    const counts = new Map<string, number>();
    for (const answer of answers) {
      for (const [group, n] of byLabel(answer, 'group')) counts.set(group, (counts.get(group) ?? 0) + (n ?? 0));
    }
    return counts;
  });
  const [{ hosts, memoryAvg, memoryMax }, cpu, unhealthy] = await Promise.all([
    groupMemory(client),
    groupCpu(client, window),
    unhealthyCounts,
  ]);
  const healthyHosts = new Map([...hosts].map(([group, n]) => [group, (n ?? 0) - (unhealthy.get(group) ?? 0)]));
  const rows = buildGroupRows({ hosts, healthyHosts, memoryAvg, memoryMax, ...cpu.columns }, minHosts);
  return { rows, cpuSource: cpu.source };
}

/** Answers of the same shape, by group, at once. */
async function byGroup<K extends string>(
  client: PrometheusClient,
  queries: Record<K, string>,
): Promise<Record<K, Map<string, number | null>>> {
  const keys = Object.keys(queries) as K[];
  const answers = await Promise.all(keys.map(async (k) => byLabel(await client.query(queries[k]), 'group')));
  return Object.fromEntries(keys.map((k, i) => [k, answers[i]])) as Record<K, Map<string, number | null>>;
}

/**
 * The groups' host counts and memory: recorded by the rules of
 * hostpulse-fleet.yml (one series per group) when present, else aggregated
 * from every (host, group) series.
 */
async function groupMemory(client: PrometheusClient): Promise<Pick<GroupColumns, 'hosts' | 'memoryAvg' | 'memoryMax'>> {
  const recorded = await byGroup(client, recordedGroupQueries());
  if (recorded.hosts.size > 0) return recorded;
  return byGroup(client, groupQueries());
}

/**
 * The average and maximum group CPU %: recorded per group when the rules
 * record them for this window (one series per group), else aggregated from
 * the recorded per-host series (one sample per host and group: rating every
 * group's counters does not fit a query timeout at 10,000 hosts), else rated
 * from the counters, as a stack without the rules needs.
 */
async function groupCpu(
  client: PrometheusClient,
  window: string,
): Promise<{ source: GroupCpuSource; columns: Pick<GroupColumns, 'cpuAvg' | 'cpuMax'> }> {
  const aggregated = await byGroup(client, recordedGroupCpuQueries(window));
  if (aggregated.cpuAvg.size > 0) return { source: 'recorded', columns: aggregated };
  const recorded = await byGroup(client, groupCpuQueries(recordedGroupCpu(window)));
  if (recorded.cpuAvg.size > 0) return { source: 'recorded', columns: recorded };
  return { source: 'raw', columns: await byGroup(client, groupCpuQueries(groupCpuByHost(window))) };
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
