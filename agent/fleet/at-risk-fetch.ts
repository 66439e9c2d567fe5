import { atRiskQueries, buildAtRiskRows, type AtRiskRow, type AtRiskThresholds } from './at-risk-rows';
import type { PrometheusClient } from './prometheus-client';
import { byLabels } from './vector';

/** The rows of `fleet at-risk` from Prometheus; `instance` keeps one host's. */
export async function fetchAtRisk(
  client: PrometheusClient,
  window: string,
  t: AtRiskThresholds,
  instance?: string,
): Promise<AtRiskRow[]> {
  const q = atRiskQueries(window);
  const key = ['instance', 'cgroup'];
  const [usage, limit, pressure, kills, processes] = await Promise.all([
    client.query(q.usage).then((r) => byLabels(r, key)),
    client.query(q.limit).then((r) => byLabels(r, key)),
    client.query(q.pressure).then((r) => byLabels(r, key)),
    client.query(q.kills).then((r) => byLabels(r, key)),
    client.query(q.processes).then((r) => byLabels(r, ['instance', 'group'])),
  ]);
  const rows = buildAtRiskRows({ usage, limit, pressure, kills, processes }, t);
  return instance === undefined ? rows : rows.filter((r) => r.instance === instance);
}
