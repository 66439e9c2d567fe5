import { round } from '../host-rows';
import { sampleValue, type VectorSample } from '../vector';

/** One host's OOM victims and collectors, from the one-query answers of chart-queries.ts. Pure. */

export interface HostOomVictim {
  comm: string;
  /** host or cgroup: whose limit was hit. */
  constraint: string;
  kills: number;
  last_rss_bytes: number | null;
}

export interface HostOoms {
  victims: HostOomVictim[];
  /** Memory cgroups that counted an oom_kill event in the window (the cgroups collector). */
  cgroups: { cgroup: string; kills: number }[];
}

export interface CollectorRow {
  collector: string;
  /** The last cycle read its source completely. */
  ok: boolean | null;
  failures: number | null;
}

export function hostDetails(
  ooms: readonly VectorSample[],
  collectors: readonly VectorSample[],
): { ooms: HostOoms; collectors: CollectorRow[] } {
  const rss = new Map<string, number | null>();
  const victims: HostOomVictim[] = [];
  const cgroups: { cgroup: string; kills: number }[] = [];
  for (const s of ooms) {
    const v = sampleValue(s);
    if (s.metric.chart === 'rss' && s.metric.comm !== undefined) rss.set(s.metric.comm, v);
    if (s.metric.chart === 'cgroups' && s.metric.cgroup !== undefined && v !== null && v > 0)
      cgroups.push({ cgroup: s.metric.cgroup, kills: Math.round(v) });
  }
  for (const s of ooms) {
    const v = sampleValue(s);
    if (s.metric.chart !== 'kills' || s.metric.comm === undefined || v === null || !(v > 0)) continue;
    victims.push({
      comm: s.metric.comm,
      constraint: s.metric.constraint ?? '',
      kills: Math.round(v),
      last_rss_bytes: round(rss.get(s.metric.comm) ?? null, 0),
    });
  }
  victims.sort((a, b) => b.kills - a.kills || a.comm.localeCompare(b.comm));
  cgroups.sort((a, b) => b.kills - a.kills || a.cgroup.localeCompare(b.cgroup));
  const rows = new Map<string, CollectorRow>();
  for (const s of collectors) {
    const name = s.metric.collector;
    if (name === undefined) continue;
    const row = rows.get(name) ?? { collector: name, ok: null, failures: null };
    const v = sampleValue(s);
    if (s.metric.chart === 'success') row.ok = v === null ? null : v >= 1;
    if (s.metric.chart === 'failures') row.failures = round(v, 0);
    rows.set(name, row);
  }
  return {
    ooms: { victims, cgroups },
    collectors: [...rows.values()].sort((a, b) => a.collector.localeCompare(b.collector)),
  };
}
