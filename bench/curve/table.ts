import { SERIES, type Cost, type CurvePoint, type CurveRecord, type Series } from './record';

/** The command that measures the committed curve (docs/bench/) and overwrites it. */
export const CURVE_COMMAND = 'flock /tmp/hostpulse-heavy.lock npm run bench -- --curve';

/** One measured value of the chart: a program's cost at one process count. */
export interface CurveRow {
  processes: number;
  program: string;
  /** CPU per cycle (hostpulse, the floor) or per scrape (the exporters), ms. */
  cpuMs: number;
  rssMb: number;
}

export function label(s: Series, r: CurveRecord): string {
  const at = (c: { commit: string | null } | null): string => (c?.commit ? ` ${c.commit}` : '');
  switch (s) {
    case 'agent':
      return `hostpulse${at(r.tools.agent)}`;
    case 'baseline':
      return `hostpulse baseline${at(r.tools.baseline)}`;
    case 'floor':
      return 'C floor (/proc/*/stat)';
    case 'processExporter':
      return 'process-exporter, per scrape';
    case 'nodeExporter':
      return 'node_exporter, per scrape';
  }
}

/** The column names of the table (the caption says which commits). */
const SHORT: Record<Series, string> = {
  agent: 'hostpulse',
  baseline: 'baseline',
  floor: 'C floor',
  processExporter: 'process-exporter',
  nodeExporter: 'node_exporter',
};

/** The series that hold at least one measurement, in legend order. */
export function measuredSeries(r: CurveRecord): Series[] {
  return SERIES.filter((s) => r.points.some((p) => p[s] !== null));
}

/** The chart's data: exactly the record's numbers, one row per program and point. */
export function curveRows(r: CurveRecord): CurveRow[] {
  const rows: CurveRow[] = [];
  for (const p of r.points)
    for (const s of SERIES) {
      const c: Cost | null = p[s];
      if (c !== null)
        rows.push({ processes: p.processes.measured, program: label(s, r), cpuMs: c.cpuMs, rssMb: c.rssMb });
    }
  return rows;
}

/** CPU per cycle of `s` over the C floor's at the same point; null without a floor (or a floor of 0 ms). */
export function floorRatio(p: CurvePoint, s: 'agent' | 'baseline'): number | null {
  const c = p[s];
  if (c === null || p.floor === null || p.floor.cpuMs <= 0) return null;
  return Math.round((c.cpuMs / p.floor.cpuMs) * 100) / 100;
}

/** The table behind the chart, as markdown (committed as docs/bench/cost-curve.md and shown in docs/benchmark.md). */
export function renderMarkdown(r: CurveRecord): string {
  const series = measuredSeries(r);
  const ratioSeries = (['agent', 'baseline'] as const).filter((s) => series.includes(s) && series.includes('floor'));
  const head = [
    'processes',
    ...series.map((s) => `${SHORT[s]} CPU ms`),
    ...ratioSeries.map((s) => `${SHORT[s]} / C floor`),
    ...series.map((s) => `${SHORT[s]} RSS MB`),
  ];
  const cell = (c: Cost | null, f: (c: Cost) => string): string => (c === null ? '-' : f(c));
  const rows = r.points.map((p) => [
    String(p.processes.measured),
    ...series.map((s) => cell(p[s], (c) => c.cpuMs.toFixed(2))),
    ...ratioSeries.map((s) => floorRatio(p, s)?.toFixed(2) ?? '-'),
    ...series.map((s) => cell(p[s], (c) => c.rssMb.toFixed(1))),
  ]);
  const m = r.machine;
  const missing = (['floor', 'processExporter', 'nodeExporter'] as const)
    .map((k) => r.tools[k])
    .filter((t): t is { missing: string } => 'missing' in t)
    .map((t) => `not measured: ${t.missing}`);
  return [
    `Measured ${r.date.slice(0, 10)} on ${m.nproc} CPUs (${m.cpuModel}), ${m.memTotalGiB} GiB, ${m.kernel}, node ${m.node}; ` +
      `hostpulse every ${r.settings.interval}, --top ${r.settings.top}, node flags "${r.settings.nodeOptions}", ` +
      `${r.settings.cycles} cycles after ${r.settings.warmup} warm-up; exporters: ${r.settings.scrapes} scrapes each. ` +
      `CPU is user+system per cycle (hostpulse, C floor) or per scrape (exporters); RSS is VmRSS after the measurement. ` +
      `hostpulse: ${r.tools.agent.commit ?? 'this checkout'}` +
      (r.tools.baseline ? `; baseline: ${r.tools.baseline.commit ?? 'another checkout'}` : '') +
      '.' +
      versions(r),
    ...missing.map((x) => `${x}.`),
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---:').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
}

function versions(r: CurveRecord): string {
  const v = (name: string, t: { version: string } | { missing: string }): string[] =>
    'version' in t ? [`${name} ${t.version}`] : [];
  const all = [
    ...v('cc', r.tools.floor),
    ...v('process-exporter', r.tools.processExporter),
    ...v('node_exporter', r.tools.nodeExporter),
  ];
  return all.length ? ` Versions: ${all.join(', ')}.` : '';
}

/** The same table for the terminal: the ratios to the C floor first, as the run's summary. */
export function renderSummary(r: CurveRecord): string {
  const lines = r.points.map((p) => {
    const part = (s: Series, unit: string): string[] => {
      const c = p[s];
      return c === null ? [] : [`${label(s, r)} ${c.cpuMs.toFixed(2)} ms/${unit} ${c.rssMb.toFixed(1)} MB`];
    };
    const ratios = (['agent', 'baseline'] as const)
      .map((s) => [s, floorRatio(p, s)] as const)
      .filter(([, x]) => x !== null)
      .map(([s, x]) => `${label(s, r)} = ${x?.toFixed(2)}x the floor`);
    return (
      `${p.processes.measured} processes: ` +
      [
        ...part('agent', 'cycle'),
        ...part('baseline', 'cycle'),
        ...part('floor', 'cycle'),
        ...part('processExporter', 'scrape'),
        ...part('nodeExporter', 'scrape'),
      ].join('; ') +
      (ratios.length ? `\n  ${ratios.join('; ')}` : '')
    );
  });
  return lines.join('\n');
}
