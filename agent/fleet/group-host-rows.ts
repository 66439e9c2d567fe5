import { round, type HostRow, type HostStatus } from './host-rows';

/** One host running the group of `fleet group NAME`. JSON field names are stable. */
export interface GroupHostRow {
  instance: string;
  /** The host's status as `fleet hosts` reports it (same rule, same thresholds). */
  status: HostStatus;
  reasons: string[];
  /** What a group is on this host (hostpulse_host_info{group_by}): the same NAME means different things under different groupings. */
  group_by: string | null;
  processes: number | null;
  rss_bytes: number | null;
  cpu_percent: number | null;
}

export interface GroupHostColumns {
  processes: Map<string, number | null>;
  rss: Map<string, number | null>;
  cpu: Map<string, number | null>;
}

const STATUS_RANK: Record<HostStatus, number> = { stale: 0, unhealthy: 1, ok: 2 };

/**
 * The hosts that have the group (a hostpulse_group_processes series), each
 * with its health from `hosts` (the rows of `fleet hosts`). A host that has
 * group series but no row there (no push interval reported) is stale. Worst
 * status first, then largest RSS, then name. Pure.
 */
export function buildGroupHostRows(
  cols: GroupHostColumns,
  hosts: readonly HostRow[],
  grouping: ReadonlyMap<string, string>,
): GroupHostRow[] {
  const health = new Map(hosts.map((h) => [h.instance, h]));
  const rows: GroupHostRow[] = [];
  for (const [instance, processes] of cols.processes) {
    const h = health.get(instance);
    rows.push({
      instance,
      status: h?.status ?? 'stale',
      reasons: h?.reasons ?? ['stale: no hostpulse_agent_interval_seconds for this host'],
      group_by: grouping.get(instance) ?? null,
      processes: round(processes, 0),
      rss_bytes: round(cols.rss.get(instance) ?? null, 0),
      cpu_percent: round(cols.cpu.get(instance) ?? null, 1),
    });
  }
  return rows.sort(
    (a, b) =>
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      (b.rss_bytes ?? -1) - (a.rss_bytes ?? -1) ||
      a.instance.localeCompare(b.instance),
  );
}
