import { round } from './host-rows';

/** One process group (comm) across the fleet. JSON field names are stable. */
export interface GroupRow {
  group: string;
  hosts: number;
  healthy_hosts: number;
  memory_avg_bytes: number | null;
  memory_max_bytes: number | null;
  cpu_avg_percent: number | null;
  cpu_max_percent: number | null;
  /** True when the group runs on fewer than --min-hosts healthy hosts. */
  below_min_hosts: boolean;
}

export interface GroupColumns {
  hosts: Map<string, number | null>;
  healthyHosts: Map<string, number | null>;
  memoryAvg: Map<string, number | null>;
  memoryMax: Map<string, number | null>;
  cpuAvg: Map<string, number | null>;
  cpuMax: Map<string, number | null>;
}

/** Flagged groups first, then by average memory, largest first. Pure. */
export function buildGroupRows(cols: GroupColumns, minHosts: number): GroupRow[] {
  const rows: GroupRow[] = [];
  for (const [group, hosts] of cols.hosts) {
    const healthy = cols.healthyHosts.get(group) ?? 0;
    const bytes = (m: Map<string, number | null>) => round(m.get(group) ?? null, 0);
    rows.push({
      group,
      hosts: hosts ?? 0,
      healthy_hosts: healthy ?? 0,
      memory_avg_bytes: bytes(cols.memoryAvg),
      memory_max_bytes: bytes(cols.memoryMax),
      cpu_avg_percent: round(cols.cpuAvg.get(group) ?? null, 1),
      cpu_max_percent: round(cols.cpuMax.get(group) ?? null, 1),
      below_min_hosts: (healthy ?? 0) < minHosts,
    });
  }
  return rows.sort(
    (a, b) =>
      Number(b.below_min_hosts) - Number(a.below_min_hosts) ||
      (b.memory_avg_bytes ?? -1) - (a.memory_avg_bytes ?? -1) ||
      a.group.localeCompare(b.group),
  );
}
