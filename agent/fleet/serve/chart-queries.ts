import { groupHostQueries } from '../group-host-queries';
import { hostQueries, promString, selector } from '../promql';

/**
 * The range queries behind the charts of `fleet serve`, one per chart family
 * and never one per host: the fleet page's two sparkline columns cost two
 * queries whether it lists 2 hosts or 2,000. The instant expressions are those
 * of the fleet commands (promql.ts), so a chart's last point is the number in
 * the table beside it.
 */

/** Memory % used and CPU % busy per host: the `fleet hosts` columns over time. */
export function fleetChartQueries(window: string): { cpu: string; memory: string } {
  const q = hostQueries(window);
  return { cpu: q.cpu, memory: q.memory };
}

/**
 * OOM kills per host in each hour (the timeline's bars): the increase of the
 * host counter over the step, rounded as `fleet ooms` rounds it.
 */
export function oomTimelineQuery(step: string): string {
  return `sum by (instance) (round(increase(hostpulse_host_oom_kills_total[${step}]))) > 0`;
}

/** Names a series for the page: `series="VALUE"`. */
function named(expr: string, value: string): string {
  return `label_replace(${expr}, "series", ${promString(value)}, "", "")`;
}

/** Names each series for the page after one of its labels: `series` = the value of `label`. */
function namedBy(expr: string, label: string): string {
  return `label_replace(${expr}, "series", "$1", ${promString(label)}, "(.*)")`;
}

/** `label_replace(expr, "chart", name, "", "")`: which chart a series belongs to. */
function inChart(expr: string, chart: string): string {
  return `label_replace(${expr}, "chart", ${promString(chart)}, "", "")`;
}

/**
 * One host's four charts in one query, told apart by the `chart` label:
 * memory (bytes used by the host, and RSS stacked by group), cpu (CPUs busy
 * on the host, and by group). CPU is in CPUs (cores), not percent, so the
 * groups stack up to the host line. `series` is "host" or the group name.
 */
export function hostChartQuery(instance: string, window: string): string {
  const s = (metric: string, extra: string[] = []) => selector(metric, instance, extra);
  const used = `sum(${s('hostpulse_host_memory_total_bytes')}) - sum(${s('hostpulse_host_memory_available_bytes')})`;
  const groupRss = `sum by (group) (${s('hostpulse_group_resident_memory_bytes')})`;
  const busy = `sum(rate(${s('hostpulse_host_cpu_seconds_total', ['mode!="idle"'])}[${window}]))`;
  const groupCpu = `sum by (group) (rate(${s('hostpulse_group_cpu_seconds_total')}[${window}]))`;
  return [
    inChart(named(used, 'host'), 'memory'),
    inChart(namedBy(groupRss, 'group'), 'memory_groups'),
    inChart(named(busy, 'host'), 'cpu'),
    inChart(namedBy(groupCpu, 'group'), 'cpu_groups'),
  ].join(' or ');
}

/** Each host's RSS of one group over time (`fleet group NAME`'s RSS column). */
export function groupRssQuery(group: string, window: string): string {
  return groupHostQueries(group, window).rss;
}

/**
 * One host's OOM victims within `since` in one query: kills by comm and
 * constraint, the last victim's RSS by comm, and the memory cgroups that
 * counted an oom_kill (the victims' series carry no cgroup label).
 */
export function hostOomQuery(instance: string, since: string): string {
  const kills = selector('hostpulse_oom_kills_total', instance);
  const rss = selector('hostpulse_oom_victim_resident_memory_bytes', instance);
  // As oomQueries: a victim series born inside the window counts whole.
  const k =
    `sum by (comm, constraint) ((round(increase(${kills}[${since}])) and ${kills} offset ${since})` +
    ` or (${kills} unless ${kills} offset ${since}))`;
  const cgroups = `sum by (cgroup) (round(increase(${selector('hostpulse_cgroup_memory_events_total', instance, ['event="oom_kill"'])}[${since}]))) > 0`;
  return [
    inChart(k, 'kills'),
    inChart(`max by (comm) (last_over_time(${rss}[${since}]))`, 'rss'),
    inChart(cgroups, 'cgroups'),
  ].join(' or ');
}

/** One host's collectors now: success (1/0) and failures since start, by collector, in one query. */
export function collectorQuery(instance: string): string {
  return (
    `${inChart(`max by (collector) (${selector('hostpulse_agent_collector_success', instance)})`, 'success')} or ` +
    inChart(`max by (collector) (${selector('hostpulse_agent_collector_failures_total', instance)})`, 'failures')
  );
}
