import type { VectorSample } from './vector';

/**
 * What a group is on each host, from hostpulse_host_info{group_by}. An agent
 * from before --group-by has no group_by label: it grouped by comm. Pure.
 */
export function groupingByInstance(samples: readonly VectorSample[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of samples) {
    const instance = s.metric.instance;
    if (instance === undefined) continue;
    const by = s.metric.group_by || 'comm';
    // A host seen with two groupings inside the lookback (a reload that changed --group-by) counts as the later-sorted one; rare and short-lived.
    const prev = out.get(instance);
    out.set(instance, prev === undefined || by > prev ? by : prev);
  }
  return out;
}

/**
 * One phrase for the header of the group commands: "groups by cgroup" when
 * every host agrees, "groups by mixed (cgroup on 2 hosts, comm on 1)" when
 * they differ; `instances` limits it to the hosts shown (all when absent).
 */
export function describeGrouping(byInstance: ReadonlyMap<string, string>, instances?: Iterable<string>): string {
  const counts = new Map<string, number>();
  const keys = instances === undefined ? [...byInstance.keys()] : [...instances];
  for (const instance of keys) {
    const by = byInstance.get(instance) ?? 'unknown';
    counts.set(by, (counts.get(by) ?? 0) + 1);
  }
  if (counts.size === 0) return 'groups by (no host reports its grouping)';
  if (counts.size === 1) return `groups by ${[...counts.keys()][0]}`;
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([by, n]) => `${by} on ${n} host${n === 1 ? '' : 's'}`);
  return `groups by mixed (${parts.join(', ')})`;
}
