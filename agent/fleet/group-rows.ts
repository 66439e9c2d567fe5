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

/**
 * The columns of buildGroupRows from per-(instance, group) rows (keys
 * `instance NUL group`), as count/avg/max by (group) would give them: hosts
 * and averages count every row, maxima skip unknown values (as PromQL's max
 * skips NaN), and a host is healthy unless `unhealthy` names it. Pure.
 */
export function aggregateGroups(
  memory: ReadonlyMap<string, number | null>,
  cpu: ReadonlyMap<string, number | null>,
  unhealthy: ReadonlySet<string>,
): GroupColumns {
  const cols: GroupColumns = {
    hosts: new Map(),
    healthyHosts: new Map(),
    memoryAvg: new Map(),
    memoryMax: new Map(),
    cpuAvg: new Map(),
    cpuMax: new Map(),
  };
  const add = (m: Map<string, number | null>, group: string, n: number) => m.set(group, (m.get(group) ?? 0) + n);
  for (const key of memory.keys()) {
    const [instance, group] = key.split('\u0000');
    add(cols.hosts, group, 1);
    add(cols.healthyHosts, group, unhealthy.has(instance) ? 0 : 1);
  }
  averageAndMax(memory, cols.memoryAvg, cols.memoryMax);
  averageAndMax(cpu, cols.cpuAvg, cols.cpuMax);
  return cols;
}

function averageAndMax(
  rows: ReadonlyMap<string, number | null>,
  avg: Map<string, number | null>,
  max: Map<string, number | null>,
): void {
  const sums = new Map<string, { sum: number; n: number; unknown: boolean }>();
  for (const [key, v] of rows) {
    const group = key.split('\u0000')[1];
    const s = sums.get(group) ?? { sum: 0, n: 0, unknown: false };
    s.n++;
    if (v === null) s.unknown = true;
    else s.sum += v;
    sums.set(group, s);
    const m = max.get(group);
    if (v !== null && (m === undefined || m === null || v > m)) max.set(group, v);
    else if (m === undefined) max.set(group, null);
  }
  for (const [group, s] of sums) avg.set(group, s.unknown ? null : s.sum / s.n);
}
