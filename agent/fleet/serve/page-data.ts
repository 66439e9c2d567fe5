import { fetchGroupHosts } from '../commands/group';
import { describeGrouping } from '../grouping';
import { fetchHosts, fetchOoms, fetchProcesses } from '../fetch';
import type { HostRow, HostStatus } from '../host-rows';
import type { OomHostRow } from '../oom-rows';
import type { GroupHostRow } from '../group-host-rows';
import { topProcesses, type ProcessRow } from '../process-rows';
import type { RangeClient, TimeRange } from '../prometheus-client';
import type { Thresholds } from '../promql';
import { alignSeries, lastRange, seriesByLabel, type ChartData } from './chart-data';
import {
  collectorQuery,
  fleetChartQueries,
  groupRssQuery,
  hostChartQuery,
  hostOomQuery,
  oomTimelineQuery,
} from './chart-queries';
import { hostDetails, type CollectorRow, type HostOoms } from './host-details';

/**
 * What each page of `fleet serve` shows, fetched with the fleet commands' own
 * functions (fetchHosts, fetchProcesses, fetchOoms, fetchGroupHosts), so the
 * page and the CLI give the same numbers, plus the range queries of its charts.
 * Each function sends at most 10 queries (the page's budget per refresh).
 */

export interface ServeSettings {
  /** The rate window of CPU queries (--rate-window). */
  window: string;
  thresholds: Thresholds;
  /** Seconds of history in the charts (--chart-range). */
  chartSeconds: number;
  /** Unix seconds now: Date.now() in production, fixed in tests. */
  now: () => number;
}

/** Points per chart: enough for a smooth line, small enough for 200 hosts' sparklines. */
export const CHART_POINTS = 60;
/** The OOM-kill timeline: the last 24 h in hours. */
export const TIMELINE = { seconds: 24 * 3600, stepSeconds: 3600 } as const;

export function countByStatus(rows: readonly { status: HostStatus }[]): Record<HostStatus, number> {
  const counts: Record<HostStatus, number> = { stale: 0, unhealthy: 0, ok: 0 };
  for (const r of rows) counts[r.status]++;
  return counts;
}

function timelineRange(now: number): TimeRange {
  const end = Math.floor(now / TIMELINE.stepSeconds) * TIMELINE.stepSeconds + TIMELINE.stepSeconds;
  return { start: end - TIMELINE.seconds + TIMELINE.stepSeconds, end, step: TIMELINE.stepSeconds };
}

export interface FleetPage {
  counts: Record<HostStatus, number>;
  /** Rows of `fleet hosts --json`, worst first. */
  hosts: HostRow[];
  /** Per instance: CPU % and memory % over --chart-range. */
  cpu: ChartData;
  memory: ChartData;
  /** OOM kills per host per hour over 24 h; only hosts with a kill. */
  oom_timeline: ChartData;
}

/** `/`: the 5–7 queries of `fleet hosts` (a 6th for stopped hosts' ages, a 7th without the recorded host CPU) + 3 range queries. */
export async function fleetPage(client: RangeClient, s: ServeSettings): Promise<FleetPage> {
  const range = lastRange(s.now(), s.chartSeconds, CHART_POINTS);
  const q = fleetChartQueries(s.window);
  const tl = timelineRange(s.now());
  const [hosts, cpu, memory, timeline] = await Promise.all([
    fetchHosts(client, s.window, s.thresholds),
    client.queryRange(q.cpu, range),
    client.queryRange(q.memory, range),
    client.queryRange(oomTimelineQuery(`${TIMELINE.stepSeconds}s`), tl),
  ]);
  return {
    counts: countByStatus(hosts),
    hosts,
    cpu: seriesByLabel(cpu, range, 'instance'),
    memory: seriesByLabel(memory, range, 'instance'),
    oom_timeline: alignSeries(timeline, tl, (m) => m.instance, 0),
  };
}

export interface HostPage {
  instance: string;
  /** The row `fleet hosts` gives this host (status, last push ...). */
  host: HostRow;
  /** `fleet top --host` by memory, the first 15. */
  processes: ProcessRow[];
  ooms: HostOoms;
  collectors: CollectorRow[];
  /** Bytes used (series "host") and RSS by group. */
  memory: ChartData;
  memory_groups: ChartData;
  /** CPUs busy (series "host") and by group. */
  cpu: ChartData;
  cpu_groups: ChartData;
}

export const HOST_PROCESSES = 15;
/** The window of a host's OOM victims. */
export const HOST_OOM_SINCE = '24h';

/** `/host/NAME`: 5 + 2 queries of the CLI, 1 range query for 4 charts, 1 for OOM victims, 1 for collectors. Undefined: no such host. */
export async function hostPage(client: RangeClient, s: ServeSettings, instance: string): Promise<HostPage | undefined> {
  const range = lastRange(s.now(), s.chartSeconds, CHART_POINTS);
  const [hosts, processes, charts, ooms, collectors] = await Promise.all([
    fetchHosts(client, s.window, s.thresholds, instance),
    fetchProcesses(client, instance, s.window),
    client.queryRange(hostChartQuery(instance, s.window), range),
    client.query(hostOomQuery(instance, HOST_OOM_SINCE)),
    client.query(collectorQuery(instance)),
  ]);
  const host = hosts.find((h) => h.instance === instance);
  if (host === undefined) return undefined;
  const chart = (name: string) => alignSeries(charts, range, (m) => (m.chart === name ? m.series : undefined));
  return {
    instance,
    host,
    processes: topProcesses(processes, 'memory', HOST_PROCESSES),
    ...hostDetails(ooms, collectors),
    memory: chart('memory'),
    memory_groups: chart('memory_groups'),
    cpu: chart('cpu'),
    cpu_groups: chart('cpu_groups'),
  };
}

export interface GroupPage {
  group: string;
  /** "groups by cgroup" as `fleet group` heads its table. */
  grouping: string;
  /** Rows of `fleet group NAME --json`. */
  hosts: GroupHostRow[];
  /** RSS of the group on each host over --chart-range. */
  rss: ChartData;
}

/** `/group/NAME`: the 8–10 queries of `fleet group` + 1 range query. Undefined: no host runs it. */
export async function groupPage(client: RangeClient, s: ServeSettings, group: string): Promise<GroupPage | undefined> {
  const range = lastRange(s.now(), s.chartSeconds, CHART_POINTS);
  const [{ rows, grouping }, rss] = await Promise.all([
    fetchGroupHosts(client, s.window, s.thresholds, group),
    client.queryRange(groupRssQuery(group, s.window), range),
  ]);
  if (rows.length === 0) return undefined;
  return {
    group,
    grouping: describeGrouping(
      grouping,
      rows.map((r) => r.instance),
    ),
    hosts: rows,
    rss: seriesByLabel(rss, range, 'instance', 0),
  };
}

export interface OomsPage {
  since: string;
  /** Rows of `fleet ooms --since SINCE --json`. */
  hosts: OomHostRow[];
  oom_timeline: ChartData;
}

/** `/ooms`: the 3 queries of `fleet ooms` + the 24 h timeline. */
export async function oomsPage(client: RangeClient, s: ServeSettings, since: string): Promise<OomsPage> {
  const tl = timelineRange(s.now());
  const [hosts, timeline] = await Promise.all([
    fetchOoms(client, since),
    client.queryRange(oomTimelineQuery(`${TIMELINE.stepSeconds}s`), tl),
  ]);
  return { since, hosts, oom_timeline: alignSeries(timeline, tl, (m) => m.instance, 0) };
}
