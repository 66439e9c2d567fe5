import { Thresholds } from './promql';

/**
 * One row per host, built from the per-family query answers (pure). The JSON
 * field names are part of the CLI's contract: scripts read them.
 */
export type HostStatus = 'ok' | 'unhealthy' | 'stale';

export interface HostRow {
  instance: string;
  status: HostStatus;
  /** Why the host is not ok; each starts with a stable word: `stale:`, `cpu:`, `memory:`. */
  reasons: string[];
  cpu_percent: number | null;
  memory_percent: number | null;
  oom_kills_1h: number | null;
  last_push_age_seconds: number | null;
}

export interface HostColumns {
  interval: Map<string, number | null>;
  pushAge: Map<string, number | null>;
  cpu: Map<string, number | null>;
  memory: Map<string, number | null>;
  oomKills: Map<string, number | null>;
}

/** A host is stale when its last push is older than this many of its own intervals. */
export const STALE_INTERVALS = 3;

export function hostStatus(
  cols: { interval: number | null; pushAge: number | null; cpu: number | null; memory: number | null },
  t: Thresholds,
): { status: HostStatus; reasons: string[] } {
  const reasons: string[] = [];
  let stale = false;
  if (cols.pushAge !== null && cols.interval !== null && cols.pushAge > STALE_INTERVALS * cols.interval) {
    stale = true;
    reasons.push(
      `stale: last push ${fmtSeconds(cols.pushAge)} ago, over ${STALE_INTERVALS} x ${fmtSeconds(cols.interval)} interval`,
    );
  }
  if (cols.cpu !== null && cols.cpu > t.cpuPercent) reasons.push(`cpu: ${cols.cpu.toFixed(1)}% > ${t.cpuPercent}%`);
  if (cols.memory !== null && cols.memory > t.memoryPercent) {
    reasons.push(`memory: ${cols.memory.toFixed(1)}% > ${t.memoryPercent}%`);
  }
  return { status: stale ? 'stale' : reasons.length > 0 ? 'unhealthy' : 'ok', reasons };
}

/** The host set is every instance that reports hostpulse_agent_interval_seconds (for a stopped remote-writing host, within the hour). */
export function buildHostRows(cols: HostColumns, t: Thresholds): HostRow[] {
  const rows: HostRow[] = [];
  for (const [instance, interval] of cols.interval) {
    const pick = (m: Map<string, number | null>) => m.get(instance) ?? null;
    const c = { interval, pushAge: pick(cols.pushAge), cpu: pick(cols.cpu), memory: pick(cols.memory) };
    // A push time a little ahead of Prometheus' clock is not a negative age.
    const age = c.pushAge === null ? null : Math.max(0, c.pushAge);
    rows.push({
      instance,
      ...hostStatus(c, t),
      cpu_percent: round(c.cpu, 1),
      memory_percent: round(c.memory, 1),
      oom_kills_1h: round(pick(cols.oomKills), 0),
      last_push_age_seconds: round(age, 1),
    });
  }
  return sortWorstFirst(rows);
}

const STATUS_RANK: Record<HostStatus, number> = { stale: 0, unhealthy: 1, ok: 2 };

/** Stale first (longest silent first), then unhealthy, then ok; by the higher of cpu/memory, then name. */
export function sortWorstFirst(rows: HostRow[]): HostRow[] {
  const load = (r: HostRow) => Math.max(r.cpu_percent ?? -1, r.memory_percent ?? -1);
  return [...rows].sort(
    (a, b) =>
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      (a.status === 'stale' ? (b.last_push_age_seconds ?? 0) - (a.last_push_age_seconds ?? 0) : 0) ||
      load(b) - load(a) ||
      a.instance.localeCompare(b.instance),
  );
}

export function round(v: number | null, digits: number): number | null {
  if (v === null) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function fmtSeconds(s: number): string {
  if (s < 120) return `${Number(s.toFixed(s < 10 ? 1 : 0))}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  if (s < 172800) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d`;
}
