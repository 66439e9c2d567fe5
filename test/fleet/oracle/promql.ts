/**
 * The fleet queries as they were before they were rewritten for 10,000 hosts
 * (kept verbatim as the oracle of test/fleet/scale-queries.e2e.test.ts: the
 * rewrite must give the same rows). Not used by the CLI.
 */

/** Escape a string for use inside a double-quoted PromQL label matcher. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `metric{instance="x",extra}`; with no instance the selector matches every host. */
export function selector(metric: string, instance?: string, extra: string[] = []): string {
  const matchers = [...(instance === undefined ? [] : [`instance=${promString(instance)}`]), ...extra];
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(',')}}`;
}

/**
 * Hosts that remote-write get no `push_time_seconds` (only a Pushgateway sets
 * it); their series are those of agents whose group, if any, was not on a
 * gateway within the hour.
 */
function unlessGateway(expr: string, instance?: string): string {
  return `(${expr}) unless on (job, instance) last_over_time(${selector('push_time_seconds', instance)}[1h])`;
}

/**
 * Every host's push interval, by (job, instance): the live series, or for a
 * host that remote-wrote and stopped (nothing marks its series stale; it just
 * gets no new samples) the last one within the hour, as the
 * HostpulseMissingPushes rule does. A dead host behind a Pushgateway keeps
 * its live series there, so its answers are unchanged.
 */
export function hostInterval(instance?: string): string {
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
export function hostAge(instance?: string): string {
  const interval = selector('hostpulse_agent_interval_seconds', instance);
  const push = selector('push_time_seconds', instance);
  const gateway = `(timestamp(${push}) - ${push}) and on (job, instance) ${interval}`;
  // Scraped (--sink scrape, an `up` series of its own): a failed scrape marks the series stale at once, so the
  // last sample is found with a 10 s subquery; at 1 m the age could overshoot a 15 s host's 45 s by a minute.
  const scraped = `(time() - max_over_time(timestamp(${interval})[1h:10s])) and on (job, instance) ${selector('up', instance)}`;
  const written = `(time() - timestamp(${interval})) or (${scraped}) or (time() - max_over_time(timestamp(${interval})[1h:1m]))`;
  return `(${gateway}) or (${unlessGateway(written, instance)})`;
}

export interface HostQueries {
  /** The set of hosts: every instance that pushes hostpulse metrics, with its push interval. */
  interval: string;
  /** Seconds since the instance's last push or remote-written sample (see hostAge). */
  pushAge: string;
  /** Non-idle share of all CPUs, percent. Needs two samples inside `window`. */
  cpu: string;
  /** Memory used, percent: 1 - available / total. */
  memory: string;
  /** OOM kills in the last hour; 0 when the counter exists but has only one sample yet. */
  oomKills: string;
}

export function hostQueries(window: string, instance?: string): HostQueries {
  const cpu = (extra: string[]) => `rate(${selector('hostpulse_host_cpu_seconds_total', instance, extra)}[${window}])`;
  const oom = selector('hostpulse_host_oom_kills_total', instance);
  return {
    interval: `max by (instance) (${hostInterval(instance)})`,
    pushAge: `min by (instance) (${hostAge(instance)})`,
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

/**
 * Instances that are stale or over a threshold: the same rule as `hostStatus`
 * in host-rows.ts, written in PromQL so group health is counted by Prometheus
 * rather than by shipping every (host, group) series to the CLI.
 */
export function unhealthyInstances(window: string, t: Thresholds): string {
  const q = hostQueries(window);
  const stale = `(${q.pushAge}) > on (instance) (3 * ${q.interval})`;
  return `group by (instance) ((${q.cpu}) > ${t.cpuPercent} or (${q.memory}) > ${t.memoryPercent} or ${stale})`;
}

export interface GroupQueries {
  hosts: string;
  healthyHosts: string;
  memoryAvg: string;
  memoryMax: string;
  cpuAvg: string;
  cpuMax: string;
}

/** Per process group across the fleet, aggregated by Prometheus: one row per group comes back. */
export function groupQueries(window: string, t: Thresholds): GroupQueries {
  const mem = 'max by (instance, group) (hostpulse_group_resident_memory_bytes)';
  const cpu = `100 * sum by (instance, group) ${currentRate('hostpulse_group_cpu_seconds_total', window)}`;
  return {
    hosts: `count by (group) (${mem})`,
    healthyHosts: `count by (group) (${mem} unless on (instance) ${unhealthyInstances(window, t)})`,
    memoryAvg: `avg by (group) (${mem})`,
    memoryMax: `max by (group) (${mem})`,
    cpuAvg: `avg by (group) (${cpu})`,
    cpuMax: `max by (group) (${cpu})`,
  };
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
    hostKills: `sum by (instance) (round(increase(${host}[${since}])))`,
    victimKills:
      `sum by (instance, comm, constraint) ((round(increase(${victims}[${since}])) and ${victims} offset ${since})` +
      ` or (${victims} unless ${victims} offset ${since}))`,
    victimRss: `max by (instance, comm) (last_over_time(hostpulse_oom_victim_resident_memory_bytes[${since}]))`,
  };
}

/** `fleet at-risk`'s queries as they were (every cgroup's kills, every group's process count). */
export function atRiskQueries(window: string) {
  return {
    usage: 'max by (instance, cgroup) (hostpulse_cgroup_memory_usage_bytes)',
    limit: 'max by (instance, cgroup) (hostpulse_cgroup_memory_limit_bytes)',
    pressure: `max by (instance, cgroup) (rate(hostpulse_cgroup_memory_pressure_stall_seconds_total{kind="full"}[${window}]))`,
    kills:
      'sum by (instance, cgroup) (increase(hostpulse_cgroup_memory_events_total{event="oom_kill"}[1h]) or ' +
      '(hostpulse_cgroup_memory_events_total{event="oom_kill"} unless hostpulse_cgroup_memory_events_total{event="oom_kill"} offset 1h))',
    processes: 'max by (instance, group) (hostpulse_group_processes)',
  };
}
