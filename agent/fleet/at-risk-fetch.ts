import {
  atRiskProcessesOf,
  atRiskQueries,
  buildAtRiskRows,
  type AtRiskRow,
  type AtRiskThresholds,
  withProcesses,
} from './at-risk-rows';
import type { PrometheusClient } from './prometheus-client';
import { byLabels } from './vector';

export interface AtRiskOptions {
  /** One host's cgroups only (`fleet watch`). */
  instance?: string;
  /** At most this many rows, the worst: their process counts are asked for after the rows are sorted, for just those. */
  limit?: number;
}

/** The rows of `fleet at-risk` from Prometheus, worst first. */
export async function fetchAtRisk(
  client: PrometheusClient,
  window: string,
  t: AtRiskThresholds,
  opts: AtRiskOptions = {},
): Promise<AtRiskRow[]> {
  const q = atRiskQueries(window, opts.instance);
  const key = ['instance', 'cgroup'];
  const [usage, limit, pressure, kills, processes] = await Promise.all([
    client.query(q.usage).then((r) => byLabels(r, key)),
    client.query(q.limit).then((r) => byLabels(r, key)),
    client.query(q.pressure).then((r) => byLabels(r, key)),
    client.query(q.kills).then((r) => byLabels(r, key)),
    // Every listed cgroup's count, unless only the worst few are shown: then theirs, once they are known.
    opts.limit === undefined ? client.query(q.processes).then((r) => byLabels(r, ['instance', 'group'])) : new Map(),
  ]);
  const rows = buildAtRiskRows({ usage, limit, pressure, kills, processes }, t);
  if (opts.limit === undefined) return rows;
  const shown = rows.slice(0, opts.limit);
  if (shown.length === 0) return shown;
  return withProcesses(shown, byLabels(await client.query(atRiskProcessesOf(shown)), ['instance', 'group']));
}
