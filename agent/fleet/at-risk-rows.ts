/**
 * `fleet at-risk`: memory cgroups across the fleet nearest their limit or
 * under memory pressure, worst first. The queries and the row shaping (pure).
 */

import { promString, regexLiteral, selector } from './promql';
import { type Column, fmtBytes, fmtNumber, fmtPercent } from './table';
import { labelKey } from './vector';

/** What makes a cgroup at risk: % of its memory limit used, % of time fully stalled on memory. */
export interface AtRiskThresholds {
  usedPercent: number;
  pressurePercent: number;
}

/** One cgroup on one host. JSON field names are stable. */
export interface AtRiskRow {
  instance: string;
  cgroup: string;
  usage_bytes: number | null;
  /** null: no limit (the cgroup can grow until the host runs out). */
  limit_bytes: number | null;
  used_percent: number | null;
  /** Share of time every task of the cgroup stalled on memory (PSI full, cgroup v2), or null where not measured. */
  pressure_full_percent: number | null;
  /** OOM kills in the cgroup in the last hour. */
  oom_kills_1h: number;
  /** Processes in the cgroup, from the processes collector's groups when the agent runs with --group-by cgroup. */
  processes: number | null;
  at_risk: boolean;
}

/**
 * PromQL for each column; `window` is the rate window for pressure;
 * `instance` keeps one host's cgroups (`fleet watch`), in the store rather
 * than after shipping the fleet's.
 */
export function atRiskQueries(window: string, instance?: string) {
  const sel = (metric: string, extra: string[] = []) => selector(metric, instance, extra);
  const kills = sel('hostpulse_cgroup_memory_events_total', ['event="oom_kill"']);
  return {
    usage: `max by (instance, cgroup) (${sel('hostpulse_cgroup_memory_usage_bytes')})`,
    limit: `max by (instance, cgroup) (${sel('hostpulse_cgroup_memory_limit_bytes')})`,
    pressure: `max by (instance, cgroup) (rate(${sel('hostpulse_cgroup_memory_pressure_stall_seconds_total', ['kind="full"'])}[${window}]))`,
    // A series born with its first kill inside the hour counts whole (increase() cannot see its start).
    // Only cgroups with a kill come back (> 0): a missing one counts 0, and a fleet of 10,000 has few.
    kills: `sum by (instance, cgroup) (increase(${kills}[1h]) or (${kills} unless ${kills} offset 1h)) > 0`,
    // Only the groups named like a cgroup of the same host (agents run with --group-by cgroup): the
    // rows are joined on (instance, cgroup), and every other group of a 10,000-host fleet would be shipped for nothing.
    processes:
      `max by (instance, group) (${sel('hostpulse_group_processes')}) and on (instance, group) ` +
      `label_replace(group by (instance, cgroup) (${sel('hostpulse_cgroup_memory_usage_bytes')}), "group", "$1", "cgroup", "(.*)")`,
  };
}

/**
 * The process counts of just these (instance, cgroup) rows (the page `fleet
 * at-risk` shows), instead of atRiskQueries().processes over the fleet: the
 * groups named like the cgroups on the hosts named (a few more pairs may come
 * back; the rows join on both).
 */
export function atRiskProcessesOf(rows: ReadonlyArray<{ instance: string; cgroup: string }>): string {
  const alternatives = (values: Iterable<string>) => promString([...new Set(values)].map(regexLiteral).join('|'));
  const instances = alternatives(rows.map((r) => r.instance));
  const groups = alternatives(rows.map((r) => r.cgroup));
  return `max by (instance, group) (hostpulse_group_processes{instance=~${instances},group=~${groups}})`;
}

export interface AtRiskColumns {
  /** instance NUL cgroup -> value. */
  usage: Map<string, number | null>;
  limit: Map<string, number | null>;
  pressure: Map<string, number | null>;
  kills: Map<string, number | null>;
  /** instance NUL group -> processes. */
  processes: Map<string, number | null>;
}

const finite = (v: number | null | undefined): number | null =>
  v === null || v === undefined || !Number.isFinite(v) ? null : v;
const round1 = (v: number) => Math.round(v * 10) / 10;

/**
 * Every cgroup with a usage series that has a limit, felt pressure or was
 * OOM-killed in the hour, worst first: at risk first, then by % used, then
 * pressure, kills, host and name.
 */
export function buildAtRiskRows(cols: AtRiskColumns, t: AtRiskThresholds): AtRiskRow[] {
  const rows: AtRiskRow[] = [];
  for (const [key, u] of cols.usage) {
    const [instance, cgroup] = key.split('\0');
    const usage = finite(u);
    const limit = finite(cols.limit.get(key));
    const used = usage !== null && limit !== null && limit > 0 ? round1((usage / limit) * 100) : null;
    const p = finite(cols.pressure.get(key));
    const pressure = p === null ? null : round1(p * 100);
    const kills = Math.max(0, Math.round(finite(cols.kills.get(key)) ?? 0));
    if (limit === null && !(pressure !== null && pressure > 0) && kills === 0) continue;
    rows.push({
      instance,
      cgroup,
      usage_bytes: usage,
      limit_bytes: limit,
      used_percent: used,
      pressure_full_percent: pressure,
      oom_kills_1h: kills,
      processes: finite(cols.processes.get(key)),
      at_risk: (used !== null && used >= t.usedPercent) || (pressure !== null && pressure >= t.pressurePercent),
    });
  }
  return rows.sort(
    (a, b) =>
      Number(b.at_risk) - Number(a.at_risk) ||
      (b.used_percent ?? -1) - (a.used_percent ?? -1) ||
      (b.pressure_full_percent ?? -1) - (a.pressure_full_percent ?? -1) ||
      b.oom_kills_1h - a.oom_kills_1h ||
      a.instance.localeCompare(b.instance) ||
      a.cgroup.localeCompare(b.cgroup),
  );
}

/**
 * `rows` with their process counts from `processes` (instance NUL group, as
 * AtRiskColumns has them): the counts of just the rows shown, asked for once
 * the rows are sorted (the order does not depend on them).
 */
export function withProcesses(rows: readonly AtRiskRow[], processes: Map<string, number | null>): AtRiskRow[] {
  return rows.map((r) => ({ ...r, processes: finite(processes.get(labelKey([r.instance, r.cgroup]))) }));
}

/** The table of `fleet at-risk` (and of `fleet watch`'s cgroups). */
export const AT_RISK_COLUMNS: Column<AtRiskRow>[] = [
  { header: 'INSTANCE', cell: (r) => r.instance },
  { header: 'CGROUP', cell: (r) => r.cgroup },
  { header: 'USAGE', cell: (r) => fmtBytes(r.usage_bytes), align: 'right' },
  { header: 'LIMIT', cell: (r) => (r.limit_bytes === null ? 'none' : fmtBytes(r.limit_bytes)), align: 'right' },
  { header: 'USED', cell: (r) => fmtPercent(r.used_percent), align: 'right' },
  { header: 'PRESSURE', cell: (r) => fmtPercent(r.pressure_full_percent), align: 'right' },
  { header: 'OOM 1H', cell: (r) => String(r.oom_kills_1h), align: 'right' },
  { header: 'PROCS', cell: (r) => fmtNumber(r.processes), align: 'right' },
  { header: 'AT RISK', cell: (r) => (r.at_risk ? 'yes' : '') },
];
