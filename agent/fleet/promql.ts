/**
 * Every PromQL query the fleet commands send, in one place. One query per
 * column family, aggregated `by (instance)` (or by group/pid), never one per
 * host, so a 1000-host fleet costs the same handful of queries as two hosts.
 *
 * Series come either from a Pushgateway, which Prometheus scrapes with
 * `honor_labels: true`, from agents that remote-write (`--sink
 * remote-write`) into Prometheus or another store (VictoriaMetrics, Mimir),
 * or from agents Prometheus scrapes (`--sink scrape`, `instance` relabelled
 * to the host name); either way `job` and `instance` name the agent. Every query gives the
 * same answer on both paths: only the age of a host's last push is measured
 * differently (see `hostAge`).
 */

/** Escape a string for use inside a double-quoted PromQL label matcher. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** One host by name, or several (a regex of their exact names: one query for a page of hosts, not one each). */
export type InstanceFilter = string | readonly string[];

/** Escape a string so a regex matches it literally (RE2 syntax, as Prometheus and VictoriaMetrics use). */
export function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

function instanceMatcher(instance: InstanceFilter): string {
  return typeof instance === 'string'
    ? `instance=${promString(instance)}`
    : `instance=~${promString(instance.map(regexLiteral).join('|'))}`;
}

/** `metric{instance="x",extra}`; with no instance the selector matches every host. */
export function selector(metric: string, instance?: InstanceFilter, extra: string[] = []): string {
  const matchers = [...(instance === undefined ? [] : [instanceMatcher(instance)]), ...extra];
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(',')}}`;
}

/**
 * Hosts that remote-write get no `push_time_seconds` (only a Pushgateway sets
 * it); their series are those of agents whose group, if any, was not on a
 * gateway within the hour.
 */
function unlessGateway(expr: string, instance?: InstanceFilter): string {
  return `(${expr}) unless on (job, instance) last_over_time(${selector('push_time_seconds', instance)}[1h])`;
}

/**
 * Every host's push interval, by (job, instance): the live series, or for a
 * host that remote-wrote and stopped (nothing marks its series stale; it just
 * gets no new samples) the last one within the hour, as the
 * HostpulseMissingPushes rule does. A dead host behind a Pushgateway keeps
 * its live series there, so its answers are unchanged.
 */
export function hostInterval(instance?: InstanceFilter): string {
  const interval = selector('hostpulse_agent_interval_seconds', instance);
  return `${interval} or ${unlessGateway(`last_over_time(${interval}[1h])`, instance)}`;
}

/**
 * Seconds since each host's last push, by (job, instance), shaped like the
 * HostpulseMissingPushes rule. Behind a Pushgateway: `push_time_seconds` at
 * Prometheus' last scrape of the gateway (timestamp()), so a scrape interval
 * longer than the push interval does not make a live host look stale, and
 * only for groups hostpulse agents pushed (another job's group with the same
 * instance must not make a dead agent look fresh). Remote-written: the age
 * of the host's last sample, `time() - timestamp(...)`, exact while the
 * series is inside the store's lookback (5 min); older, the last timestamp
 * within the hour from a 1-minute subquery (each step sees the last sample
 * for 5 min, so the maximum is exact).
 */
export function hostAge(instance?: InstanceFilter): string {
  const interval = selector('hostpulse_agent_interval_seconds', instance);
  const push = selector('push_time_seconds', instance);
  const gateway = `(timestamp(${push}) - ${push}) and on (job, instance) ${interval}`;
  // Scraped (--sink scrape, an `up` series of its own): a failed scrape marks the series stale at once, so the
  // last sample is found with a 10 s subquery; at 1 m the age could overshoot a 15 s host's 45 s by a minute.
  const scraped = `(time() - max_over_time(timestamp(${interval})[1h:10s])) and on (job, instance) ${selector('up', instance)}`;
  const written = `(time() - timestamp(${interval})) or (${scraped}) or (time() - max_over_time(timestamp(${interval})[1h:1m]))`;
  return `(${gateway}) or (${unlessGateway(written, instance)})`;
}

/**
 * hostAge without its subqueries: the age of every host behind a gateway, and
 * of every remote-written or scraped host whose series is inside the lookback
 * now, by (job, instance). For those the value is hostAge's. The subqueries
 * (1 h of 1 m or 10 s steps over every host) cost most of a fleet's query
 * time and only matter for hosts that stopped; fetchHosts asks hostAge for
 * just the (job, instance) pairs missing here.
 */
export function hostAgeLive(): string {
  const interval = 'hostpulse_agent_interval_seconds';
  const gateway = `(timestamp(push_time_seconds) - push_time_seconds) and on (job, instance) ${interval}`;
  return `(${gateway}) or (${unlessGateway(`time() - timestamp(${interval})`)})`;
}

export interface HostQueries {
  /** The set of hosts: every (job, instance) that pushes hostpulse metrics, with its push interval. */
  interval: string;
  /** Seconds since the instance's last push or remote-written sample (see hostAge). */
  pushAge: string;
  /** The same for live hosts only, by (job, instance) (see hostAgeLive); absent when one host is asked for. */
  liveAge: string;
  /** Non-idle share of all CPUs, percent. Needs two samples inside `window`. */
  cpu: string;
  /** Memory used, percent: 1 - available / total. */
  memory: string;
  /** OOM kills in the last hour; 0 when the counter exists but has only one sample yet. */
  oomKills: string;
}

/**
 * What the recording rule of hostpulse-fleet.yml records each host's CPU %
 * (HostQueries.cpu over the whole fleet) as, with its range in a `window`
 * label: rating every host's CPU counters by mode (90,000 series at 10,000
 * hosts, twice) is the costliest query of `fleet hosts`.
 */
export const HOST_CPU_RECORD = 'instance:hostpulse_host_cpu_percent:rate';

/** The recorded hostQueries(window).cpu of the whole fleet: present only where a rule records it with that window. */
export function recordedHostCpu(window: string): string {
  return `${HOST_CPU_RECORD}{window=${promString(window)}}`;
}

export function hostQueries(window: string, instance?: InstanceFilter): HostQueries {
  const cpu = (extra: string[]) => `rate(${selector('hostpulse_host_cpu_seconds_total', instance, extra)}[${window}])`;
  const oom = selector('hostpulse_host_oom_kills_total', instance);
  return {
    interval: `max by (job, instance) (${hostInterval(instance)})`,
    pushAge: `min by (instance) (${hostAge(instance)})`,
    liveAge: hostAgeLive(),
    cpu: `100 * (1 - sum by (instance) (${cpu(['mode="idle"'])}) / sum by (instance) (${cpu([])}))`,
    // The last values within the hour: a stale host shows them on both paths (the Pushgateway
    // keeps a dead host's values; a remote-written series just ends).
    memory:
      `100 * (1 - max by (instance) (last_over_time(${selector('hostpulse_host_memory_available_bytes', instance)}[1h]))` +
      ` / max by (instance) (last_over_time(${selector('hostpulse_host_memory_total_bytes', instance)}[1h])))`,
    oomKills: `sum by (instance) (increase(${oom}[1h])) or sum by (instance) (${oom} * 0)`,
  };
}

export interface ProcessQueries {
  rss: string;
  cpu: string;
}

/**
 * A rate over `window`, kept only for series that exist now: a process that
 * left the agent's top N (or exited) still has samples inside the window, and
 * must not show up as a row with a CPU % and no RSS.
 */
export function currentRate(sel: string, window: string): string {
  return `(rate(${sel}[${window}]) and ${sel})`;
}

/** Per-pid series of one host (the agent bounds them to its top N by RSS). */
export function processQueries(instance: string, window: string): ProcessQueries {
  return {
    rss: `max by (pid, comm) (${selector('hostpulse_process_resident_memory_bytes', instance)})`,
    cpu: `100 * sum by (pid, comm) ${currentRate(selector('hostpulse_process_cpu_seconds_total', instance), window)}`,
  };
}

export interface Thresholds {
  cpuPercent: number;
  memoryPercent: number;
}

export interface GroupQueries {
  hosts: string;
  memoryAvg: string;
  memoryMax: string;
}

export interface GroupCpuQueries {
  cpuAvg: string;
  cpuMax: string;
}

/**
 * Each host's CPU % per process group (of one CPU), by (instance, group),
 * rated from the raw counters: the expression of the recording rule
 * GROUP_CPU_RECORD (prometheus/rules/hostpulse-fleet.yml), word for word.
 */
export function groupCpuByHost(window: string): string {
  return `100 * sum by (instance, group) ${currentRate('hostpulse_group_cpu_seconds_total', window)}`;
}

/** What the recording rule of hostpulse-fleet.yml records groupCpuByHost as, with its range in a `window` label. */
export const GROUP_CPU_RECORD = 'instance_group:hostpulse_group_cpu_percent:rate';

/** The recorded groupCpuByHost(window): present only where a rule records it with that window. */
export function recordedGroupCpu(window: string): string {
  return `${GROUP_CPU_RECORD}{window=${promString(window)}}`;
}

/**
 * Per process group across the fleet, aggregated by Prometheus: one row per
 * group comes back, whatever the fleet's size. Which of a group's hosts are
 * healthy is not asked here: see groupUnhealthyHosts; the CPU columns: see
 * groupCpuQueries.
 */
export function groupQueries(): GroupQueries {
  const mem = 'max by (instance, group) (hostpulse_group_resident_memory_bytes)';
  return {
    hosts: `count by (group) (${mem})`,
    memoryAvg: `avg by (group) (${mem})`,
    memoryMax: `max by (group) (${mem})`,
  };
}

/**
 * What the recording rules of hostpulse-fleet.yml record the per-group
 * aggregates of `fleet groups` as (one series per group, instead of
 * aggregating 100,000 (host, group) series on each call at 10,000 hosts):
 * groupQueries() as they are, and groupCpuQueries(recordedGroupCpu(window))
 * with the window in a `window` label.
 */
export const GROUP_RECORDS = {
  hosts: 'group:hostpulse_group_hosts:count',
  memoryAvg: 'group:hostpulse_group_resident_memory_bytes:avg',
  memoryMax: 'group:hostpulse_group_resident_memory_bytes:max',
  cpuAvg: 'group:hostpulse_group_cpu_percent:rate_avg',
  cpuMax: 'group:hostpulse_group_cpu_percent:rate_max',
} as const;

/** The recorded groupQueries(): present only where the rules record them. */
export function recordedGroupQueries(): GroupQueries {
  return { hosts: GROUP_RECORDS.hosts, memoryAvg: GROUP_RECORDS.memoryAvg, memoryMax: GROUP_RECORDS.memoryMax };
}

/** The recorded groupCpuQueries(recordedGroupCpu(window)): present only where the rules record them with that window. */
export function recordedGroupCpuQueries(window: string): GroupCpuQueries {
  const w = `{window=${promString(window)}}`;
  return { cpuAvg: `${GROUP_RECORDS.cpuAvg}${w}`, cpuMax: `${GROUP_RECORDS.cpuMax}${w}` };
}

/** The groups' average and maximum CPU % over their hosts, from groupCpuByHost(window) or recordedGroupCpu(window). */
export function groupCpuQueries(cpuByHost: string): GroupCpuQueries {
  return { cpuAvg: `avg by (group) (${cpuByHost})`, cpuMax: `max by (group) (${cpuByHost})` };
}

/**
 * How many of the named (unhealthy) hosts run each group. The names come from
 * the host rows (host-rows.ts decides health, in one place); the group's
 * healthy hosts are its hosts less these.
 */
export function groupUnhealthyHosts(instances: readonly string[]): string {
  return `count by (group) (max by (instance, group) (${selector('hostpulse_group_resident_memory_bytes', instances)}))`;
}

export interface OomQueries {
  hostKills: string;
  victimKills: string;
  victimRss: string;
}

/**
 * OOM kills in the window. The per-victim counter is born at 1 (its series
 * appears with the first kill), which increase() cannot see: a series that
 * did not exist `since` ago counts whole (every kill of it is inside the
 * window), an older one counts its increase. Rounded: increase() extrapolates.
 */
export function oomQueries(since: string): OomQueries {
  const host = 'hostpulse_host_oom_kills_total';
  const victims = 'hostpulse_oom_kills_total';
  return {
    // Only hosts and victims with a kill come back (> 0): a fleet of 10,000 has few.
    hostKills: `sum by (instance) (round(increase(${host}[${since}]))) > 0`,
    victimKills:
      `(sum by (instance, comm, constraint) ((round(increase(${victims}[${since}])) and ${victims} offset ${since})` +
      ` or (${victims} unless ${victims} offset ${since}))) > 0`,
    victimRss: `max by (instance, comm) (last_over_time(hostpulse_oom_victim_resident_memory_bytes[${since}]))`,
  };
}
