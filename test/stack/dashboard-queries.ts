import * as fs from 'fs';
import * as path from 'path';

export const DASHBOARD_DIR = path.join(__dirname, '..', '..', 'grafana', 'dashboards');

export interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr?: string; refId: string; datasource?: { type: string; uid: string } }>;
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; definition?: string; query?: unknown; datasource?: { uid: string } }> };
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

/** Every dashboard JSON under grafana/dashboards, by file name. */
export function loadDashboards(): Map<string, Dashboard> {
  const out = new Map<string, Dashboard>();
  for (const f of fs
    .readdirSync(DASHBOARD_DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    out.set(f, JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, f), 'utf8')) as Dashboard);
  }
  return out;
}

/** Panels in layout order, rows' collapsed children included. */
export function allPanels(d: Dashboard): Panel[] {
  const walk = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...walk(p.panels ?? [])]);
  return walk(d.panels);
}

/** Every PromQL expression of every panel target. */
export function panelQueries(d: Dashboard): PanelQuery[] {
  return allPanels(d).flatMap((p) =>
    (p.targets ?? [])
      .filter((t) => typeof t.expr === 'string' && t.expr.trim() !== '')
      .map((t) => ({ dashboard: d.uid, panel: p.title, refId: t.refId, expr: t.expr as string })),
  );
}

/** The metric selectors behind `label_values(selector, label)` template variables. */
export function variableSelectors(d: Dashboard): string[] {
  return d.templating.list
    .map((v) => /^label_values\((.+),\s*\w+\)$/.exec(typeof v.query === 'string' ? v.query : (v.definition ?? ''))?.[1])
    .filter((s): s is string => s !== undefined);
}

/**
 * Replaces Grafana's variables the way Grafana would before sending the query:
 * `$name` / `${name}` from `vars`, and the built-in range/interval variables.
 * Throws when a `$` variable is left over, so a new variable cannot slip through untested.
 */
export function substituteVariables(expr: string, vars: Record<string, string>): string {
  const builtins: Record<string, string> = { __rate_interval: '30s', __interval: '10s', __range: '5m', ...vars };
  const out = expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = builtins[name];
    if (value === undefined) throw new Error(`unknown variable ${whole} in ${expr}`);
    return value;
  });
  return out;
}

export interface QueryResult {
  where: string;
  expr: string;
  series: number;
  /** "no data", or the store's error. */
  error?: string;
}

/**
 * Runs every panel expression and variable selector of every dashboard, with
 * $instance set, through `query` (a live Prometheus or another PromQL store).
 * An expression that returns nothing is an error unless `mayBeEmpty` says the
 * store here cannot have it (no PSI on this kernel, no rule evaluation).
 */
export async function runDashboardQueries(
  query: (promql: string) => Promise<unknown[]>,
  instance: string,
  mayBeEmpty: (promql: string) => boolean,
): Promise<QueryResult[]> {
  const results: QueryResult[] = [];
  for (const [file, dashboard] of loadDashboards()) {
    const exprs = [
      ...panelQueries(dashboard).map((q) => ({ where: `${file} "${q.panel}" ${q.refId}`, expr: q.expr })),
      ...variableSelectors(dashboard).map((s) => ({ where: `${file} variable`, expr: s })),
    ];
    for (const { where, expr } of exprs) {
      const promql = substituteVariables(expr, { instance });
      try {
        const series = (await query(promql)).length;
        results.push({
          where,
          expr: promql,
          series,
          ...(series === 0 && !mayBeEmpty(promql) ? { error: 'no data' } : {}),
        });
      } catch (e) {
        results.push({ where, expr: promql, series: 0, error: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return results;
}
