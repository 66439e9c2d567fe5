/**
 * Synthetic hostpulse series for N hosts, as a store holds them after the
 * agents pushed for a while: the series names and labels the agent pushes
 * (docs/metrics.md) with the Pushgateway's grouping labels `job` and
 * `instance`, the gateway's own `push_time_seconds` for hosts behind it,
 * process groups, per-pid top-N, OOM victims and memory cgroups. Pure and
 * deterministic: host h always gets the same shape, so a test can load a
 * few thousand series and compare two implementations on them.
 *
 * Every 4th host remote-writes (no push_time_seconds); every 50th host is
 * stale (behind the gateway: its push time stops moving; remote-written: its
 * samples stop); every 37th host burns CPU over 90%; memory used spreads
 * over 0-99%, so ~9% of hosts are over 90%; every 100th host has OOM kills
 * with a victim; every 20th host has a cgroup near its limit; every 5th host
 * groups processes by cgroup (its groups are named like its cgroups).
 */

export interface FleetShape {
  hosts: number;
  /** Process groups per host (hostpulse_group_*), named svc-000...; some hosts lack some. */
  groups: number;
  /** Per-pid series per host (the agent's --top). */
  top: number;
  /** Memory cgroups per host (--collectors +cgroups). */
  cgroups: number;
  /** Seconds between a host's samples (its push interval). */
  interval: number;
  /** Unix seconds of the first and last sample (the last may lie ahead of now: see main.ts). */
  from: number;
  to: number;
}

/** How timestamps are written: OpenMetrics (promtool backfill) uses seconds, the Prometheus text format milliseconds. */
export type SeriesFormat = 'openmetrics' | 'prometheus';

const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const CORES = 8;

export const instanceName = (h: number): string => `host-${String(h).padStart(5, '0')}`;
export const groupName = (g: number): string => `svc-${String(g).padStart(3, '0')}`;

/** What each synthetic host is; the loaders and the tests read the same answers. */
export function hostKind(h: number): {
  written: boolean;
  stale: boolean;
  busy: boolean;
  oom: boolean;
  byCgroup: boolean;
} {
  return { written: h % 4 === 3, stale: h % 50 === 7, busy: h % 37 === 5, oom: h % 100 === 11, byCgroup: h % 5 === 4 };
}

export const cgroupName = (g: number): string => `/system.slice/${groupName(g)}.service`;

/** Group g of host h: every 5th host groups by cgroup (--group-by cgroup), so its groups are its cgroups' names. */
export const hostGroup = (h: number, g: number): string => (hostKind(h).byCgroup ? cgroupName(g) : groupName(g));

/** One series: its name, labels and value at time t (seconds); undefined: no sample at t. */
interface Series {
  name: string;
  labels: string;
  value: (t: number) => number | undefined;
}

/** One family: the OpenMetrics TYPE line needs the name without `_total` for counters. */
interface Family {
  name: string;
  type: 'gauge' | 'counter';
  series: (h: number) => Series[];
}

function labels(h: number, extra: Record<string, string> = {}): string {
  const parts = [`job="hostpulse"`, `instance="${instanceName(h)}"`];
  for (const [k, v] of Object.entries(extra)) parts.push(`${k}="${v}"`);
  return `{${parts.join(',')}}`;
}

/** A host has group g unless (h + g) % 7 === 0, so group host counts differ. */
const hasGroup = (h: number, g: number): boolean => (h + g) % 7 !== 0;

function families(s: FleetShape): Family[] {
  const since = (t: number) => t - s.from;
  // A stale host's last sample (remote-written) or last push (gateway): two intervals after the start.
  const lastPush = s.from + 2 * s.interval;
  const live = (h: number, f: (t: number) => number) => (t: number) =>
    hostKind(h).stale && hostKind(h).written && t > lastPush ? undefined : f(t);
  const one = (h: number, name: string, f: (t: number) => number, extra?: Record<string, string>): Series => ({
    name,
    labels: labels(h, extra),
    value: live(h, f),
  });
  return [
    {
      name: 'hostpulse_agent_interval_seconds',
      type: 'gauge',
      series: (h) => [one(h, 'hostpulse_agent_interval_seconds', () => s.interval)],
    },
    {
      name: 'push_time_seconds',
      type: 'gauge',
      series: (h) =>
        hostKind(h).written
          ? []
          : [one(h, 'push_time_seconds', (t) => (hostKind(h).stale ? Math.min(t, lastPush) : t))],
    },
    {
      name: 'hostpulse_host_info',
      type: 'gauge',
      series: (h) => [
        one(h, 'hostpulse_host_info', () => 1, {
          os: 'linux',
          kernel: '6.1.0',
          sampler: 'procfs',
          version: '0.2.0',
          oom_events: 'kmsg',
          group_by: hostKind(h).byCgroup ? 'cgroup' : 'comm',
        }),
      ],
    },
    {
      name: 'hostpulse_host_cpu_seconds',
      type: 'counter',
      series: (h) =>
        CPU_MODES.map((mode) => {
          // Busy hosts: 95% non-idle; the others 5-40%.
          const busyShare = hostKind(h).busy ? 0.95 : 0.05 + (h % 8) * 0.05;
          const perSecond =
            mode === 'idle'
              ? CORES * (1 - busyShare)
              : mode === 'user'
                ? CORES * busyShare * 0.8
                : mode === 'system'
                  ? CORES * busyShare * 0.2
                  : 0;
          return one(h, 'hostpulse_host_cpu_seconds_total', (t) => 1e5 + since(t) * perSecond, { mode });
        }),
    },
    {
      name: 'hostpulse_host_memory_total_bytes',
      type: 'gauge',
      series: (h) => [one(h, 'hostpulse_host_memory_total_bytes', () => 64 * GIB)],
    },
    {
      name: 'hostpulse_host_memory_available_bytes',
      type: 'gauge',
      // Used % = (h * 7) % 100: spread over 0-99, the same for every sample.
      series: (h) => [one(h, 'hostpulse_host_memory_available_bytes', () => 64 * GIB * (1 - ((h * 7) % 100) / 100))],
    },
    {
      name: 'hostpulse_host_oom_kills',
      type: 'counter',
      series: (h) => [one(h, 'hostpulse_host_oom_kills_total', (t) => (hostKind(h).oom && t >= killTime(s) ? 3 : 0))],
    },
    {
      name: 'hostpulse_oom_kills',
      type: 'counter',
      // The per-victim counter is born at its first kill (as the agent makes it).
      series: (h) =>
        hostKind(h).oom
          ? [
              one(h, 'hostpulse_oom_kills_total', (t) => (t >= killTime(s) ? 2 : NaN), {
                comm: groupName(0),
                constraint: 'CONSTRAINT_NONE',
              }),
              one(h, 'hostpulse_oom_kills_total', (t) => (t >= killTime(s) ? 1 : NaN), {
                comm: groupName(1),
                constraint: 'CONSTRAINT_MEMCG',
              }),
            ]
          : [],
    },
    {
      name: 'hostpulse_oom_victim_resident_memory_bytes',
      type: 'gauge',
      series: (h) =>
        hostKind(h).oom
          ? [0, 1].map((g) =>
              one(h, 'hostpulse_oom_victim_resident_memory_bytes', (t) => (t >= killTime(s) ? (g + 1) * GIB : NaN), {
                comm: groupName(g),
              }),
            )
          : [],
    },
    ...groupFamilies(s, one),
    ...processFamilies(s, one),
    ...cgroupFamilies(s, one),
  ];
}

/** When the OOM hosts had their kills: three intervals after the first sample, inside any window of an hour. */
const killTime = (s: FleetShape) => s.from + 3 * s.interval;

type One = (h: number, name: string, f: (t: number) => number, extra?: Record<string, string>) => Series;

function groupFamilies(s: FleetShape, one: One): Family[] {
  const each = (h: number, make: (g: number) => Series[]) =>
    Array.from({ length: s.groups }, (_, g) => g)
      .filter((g) => hasGroup(h, g))
      .flatMap(make);
  const since = (t: number) => t - s.from;
  return [
    {
      name: 'hostpulse_group_resident_memory_bytes',
      type: 'gauge',
      series: (h) =>
        each(h, (g) => [
          one(h, 'hostpulse_group_resident_memory_bytes', () => MIB * (g + 1) * (1 + (h % 13)), {
            group: hostGroup(h, g),
          }),
        ]),
    },
    {
      name: 'hostpulse_group_processes',
      type: 'gauge',
      series: (h) =>
        each(h, (g) => [one(h, 'hostpulse_group_processes', () => 1 + ((h + g) % 5), { group: hostGroup(h, g) })]),
    },
    {
      name: 'hostpulse_group_cpu_seconds',
      type: 'counter',
      series: (h) =>
        each(h, (g) =>
          ['user', 'system'].map((mode) =>
            one(
              h,
              'hostpulse_group_cpu_seconds_total',
              (t) => since(t) * 0.01 * g * (1 + (h % 3)) * (mode === 'user' ? 0.8 : 0.2),
              {
                group: hostGroup(h, g),
                mode,
              },
            ),
          ),
        ),
    },
  ];
}

function processFamilies(s: FleetShape, one: One): Family[] {
  const since = (t: number) => t - s.from;
  const procs = (h: number) =>
    Array.from({ length: s.top }, (_, p) => ({
      pid: String(1000 + p * 7 + (h % 17)),
      comm: groupName(p % Math.max(1, s.groups)),
      p,
    }));
  return [
    {
      name: 'hostpulse_process_resident_memory_bytes',
      type: 'gauge',
      series: (h) =>
        procs(h).map(({ pid, comm, p }) =>
          one(h, 'hostpulse_process_resident_memory_bytes', () => MIB * (50 + ((h * 31 + p * 17) % 400)), {
            pid,
            comm,
          }),
        ),
    },
    {
      name: 'hostpulse_process_cpu_seconds',
      type: 'counter',
      series: (h) =>
        procs(h).flatMap(({ pid, comm, p }) =>
          ['user', 'system'].map((mode) =>
            one(
              h,
              'hostpulse_process_cpu_seconds_total',
              (t) => since(t) * 0.002 * ((h + p) % 50) * (mode === 'user' ? 0.8 : 0.2),
              { pid, comm, mode },
            ),
          ),
        ),
    },
  ];
}

function cgroupFamilies(s: FleetShape, one: One): Family[] {
  const since = (t: number) => t - s.from;
  const cgroups = Array.from({ length: s.cgroups }, (_, c) => cgroupName(c));
  const limit = 2 * GIB;
  const usage = (h: number, c: number) => (h % 20 === 13 && c === 0 ? 0.95 : 0.1 + ((h + c) % 60) / 100) * limit;
  return [
    {
      name: 'hostpulse_cgroup_memory_usage_bytes',
      type: 'gauge',
      series: (h) =>
        cgroups.map((cgroup, c) => one(h, 'hostpulse_cgroup_memory_usage_bytes', () => usage(h, c), { cgroup })),
    },
    {
      name: 'hostpulse_cgroup_memory_limit_bytes',
      type: 'gauge',
      series: (h) => cgroups.map((cgroup) => one(h, 'hostpulse_cgroup_memory_limit_bytes', () => limit, { cgroup })),
    },
    {
      name: 'hostpulse_cgroup_memory_pressure_stall_seconds',
      type: 'counter',
      series: (h) =>
        cgroups.map((cgroup, c) =>
          one(
            h,
            'hostpulse_cgroup_memory_pressure_stall_seconds_total',
            (t) => since(t) * (h % 20 === 13 && c === 0 ? 0.2 : 0.001),
            { cgroup, kind: 'full' },
          ),
        ),
    },
    {
      name: 'hostpulse_cgroup_memory_events',
      type: 'counter',
      series: (h) =>
        cgroups.map((cgroup, c) =>
          one(
            h,
            'hostpulse_cgroup_memory_events_total',
            (t) => (hostKind(h).oom && c === 1 && t >= killTime(s) ? 1 : 0),
            { cgroup, event: 'oom_kill' },
          ),
        ),
    },
  ];
}

/**
 * The series as text lines, family by family, host by host, each series'
 * samples in time order (what promtool's OpenMetrics backfill and
 * VictoriaMetrics' /api/v1/import/prometheus read). Calls `write` with
 * chunks of about 1 MB so N = 10,000 never sits in memory at once.
 */
export function writeSeries(s: FleetShape, format: SeriesFormat, write: (chunk: string) => void): number {
  const times: number[] = [];
  for (let t = s.from; t <= s.to; t += s.interval) times.push(t);
  const stamp = format === 'openmetrics' ? (t: number) => String(t) : (t: number) => String(t * 1000);
  let buf = '';
  let samples = 0;
  for (const fam of families(s)) {
    if (format === 'openmetrics') buf += `# TYPE ${fam.name} ${fam.type}\n`;
    for (let h = 0; h < s.hosts; h++) {
      for (const series of fam.series(h)) {
        const head = series.name + series.labels + ' ';
        for (const t of times) {
          const v = series.value(t);
          if (v === undefined || Number.isNaN(v)) continue;
          buf += `${head}${v} ${stamp(t)}\n`;
          samples++;
        }
      }
      if (buf.length > 1 << 20) {
        write(buf);
        buf = '';
      }
    }
  }
  if (format === 'openmetrics') buf += '# EOF\n';
  write(buf);
  return samples;
}
