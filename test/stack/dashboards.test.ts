/** Static checks of the dashboard JSON; the queries themselves run against a live Prometheus in fleet.e2e.test.ts. */
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { allPanels, loadDashboards, panelQueries, substituteVariables, variableSelectors } from './dashboard-queries';

const ROOT = path.join(__dirname, '..', '..');
const dashboards = loadDashboards();
const datasource = (
  YAML.parse(fs.readFileSync(path.join(ROOT, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
    datasources: Array<{ uid: string; type: string }>;
  }
).datasources[0];

test('the two dashboards keep their stable uids', () => {
  expect([...dashboards.entries()].map(([f, d]) => [f, d.uid])).toEqual([
    ['fleet-overview.json', 'hostpulse-fleet-overview'],
    ['host-detail.json', 'hostpulse-host-detail'],
  ]);
});

test('every panel and query uses the provisioned Prometheus datasource', () => {
  for (const d of dashboards.values()) {
    const panels = allPanels(d);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const p of panels) {
      expect([d.uid, p.title, p.datasource]).toEqual([d.uid, p.title, { type: datasource.type, uid: datasource.uid }]);
      for (const t of p.targets ?? []) expect([p.title, t.datasource?.uid]).toEqual([p.title, datasource.uid]);
    }
  }
});

test('fleet overview shows host status from push age, CPU, memory, OOM kills and the top processes', () => {
  const exprs = panelQueries(dashboards.get('fleet-overview.json') as never)
    .map((q) => q.expr)
    .join('\n');
  for (const needle of [
    'push_time_seconds',
    'hostpulse_agent_interval_seconds',
    'hostpulse_host_cpu_seconds_total',
    'hostpulse_host_memory_available_bytes',
    'hostpulse_host_oom_kills_total',
    'topk(25, hostpulse_process_resident_memory_bytes)',
  ]) {
    expect(exprs).toContain(needle);
  }
});

test('host detail is driven by the instance variable in every query', () => {
  const d = dashboards.get('host-detail.json');
  expect(d?.templating.list.map((v) => v.name)).toEqual(['instance']);
  expect(variableSelectors(d as never)).toEqual(['hostpulse_agent_interval_seconds']);
  const queries = panelQueries(d as never);
  for (const q of queries)
    expect([q.panel, q.expr]).toEqual([q.panel, expect.stringContaining('instance="$instance"')]);
  const exprs = queries.map((q) => q.expr).join('\n');
  for (const metric of [
    'hostpulse_process_resident_memory_bytes',
    'hostpulse_group_resident_memory_bytes',
    'hostpulse_host_cpu_seconds_total',
    'hostpulse_host_memory_pressure_stall_seconds_total',
    'hostpulse_host_oom_kills_total',
    'push_time_seconds',
    'hostpulse_agent_sample_duration_seconds',
    'hostpulse_agent_collector_success',
    'hostpulse_agent_collector_duration_seconds',
    'hostpulse_process_proportional_memory_bytes',
    'hostpulse_process_unique_memory_bytes',
    'hostpulse_process_open_fds',
    'hostpulse_process_max_fds',
    'hostpulse_process_io_read_bytes_total',
    'hostpulse_process_io_write_bytes_total',
    'hostpulse_cgroup_memory_usage_bytes',
    'hostpulse_cgroup_memory_limit_bytes',
    'hostpulse_cgroup_memory_pressure_stall_seconds_total',
    'hostpulse_cgroup_memory_events_total',
  ]) {
    expect(exprs).toContain(metric);
  }
});

test('variables are substituted as Grafana would, and an unknown one is an error', () => {
  expect(
    substituteVariables('rate(x{instance="$instance"}[$__rate_interval]) and y{i="${instance}"}', { instance: 'h1' }),
  ).toBe('rate(x{instance="h1"}[30s]) and y{i="h1"}');
  expect(() => substituteVariables('x{job="$job"}', {})).toThrow('unknown variable $job');
});

test('group panels work for every --group-by: they say "group", never "comm", and the process detail has its own row', () => {
  for (const [file, d] of dashboards) {
    for (const p of (
      d as {
        panels: Array<{
          title: string;
          description?: string;
          targets?: Array<{ expr: string; legendFormat?: string }>;
        }>;
      }
    ).panels) {
      const grouped = (p.targets ?? []).some((t) => t.expr.includes('hostpulse_group_'));
      if (!grouped) continue;
      expect([file, p.title, p.description ?? '']).toEqual([
        file,
        p.title,
        expect.not.stringMatching(/\bcomm\b(?!, cgroup)|command name/),
      ]);
      for (const t of p.targets ?? [])
        expect([file, p.title, t.legendFormat ?? '']).toEqual([file, p.title, expect.not.stringContaining('comm')]);
    }
  }
  const host = dashboards.get('host-detail.json') as unknown as {
    panels: Array<{ type: string; title: string; gridPos: { y: number } }>;
  };
  // A row's panels: those below it, up to the next row.
  const rowPanels = (title: string): string[] => {
    const row = host.panels.find((p) => p.type === 'row' && p.title === title);
    expect(row).toBeDefined();
    const next = host.panels.filter((p) => p.type === 'row' && p.gridPos.y > row!.gridPos.y).map((p) => p.gridPos.y);
    const end = Math.min(Infinity, ...next);
    return host.panels.filter((p) => p.gridPos.y > row!.gridPos.y && p.gridPos.y < end).map((p) => p.title);
  };
  expect(rowPanels('Process detail')).toEqual([
    'PSS and USS by process',
    'Open fds, % of soft limit',
    'Disk io by process',
  ]);
  expect(rowPanels('Spool')).toEqual(['Spool: files waiting', 'Spool: files delivered and failed']);
  expect(rowPanels('Memory limits')).toEqual([
    'Cgroups: usage and limit',
    'Cgroups: % of memory limit',
    'Cgroups: memory pressure (full)',
    'Cgroups: OOM kills',
  ]);
});
