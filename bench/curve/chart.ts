import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { curveRows, label, measuredSeries } from './table';
import type { CurveRecord } from './record';

/**
 * The chart as a Vega-Lite spec whose only data are curveRows(record): two panels
 * over the process count (log scale), CPU per cycle or scrape (log scale: the
 * exporters cost 100x the floor) and RSS.
 */
export function chartSpec(r: CurveRecord): TopLevelSpec {
  const programs = measuredSeries(r).map((s) => label(s, r));
  const x = {
    field: 'processes',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    axis: { title: 'processes on the host', values: r.points.map((p) => p.processes.measured), format: ',d' },
  };
  const color = { field: 'program', type: 'nominal' as const, scale: { domain: programs }, title: null };
  const panel = (field: 'cpuMs' | 'rssMb', title: string, log: boolean) => ({
    width: 360,
    height: 260,
    title,
    mark: { type: 'line' as const, point: true },
    encoding: {
      x,
      y: {
        field,
        type: 'quantitative' as const,
        scale: log ? { type: 'log' as const } : { zero: true },
        axis: { title: log ? 'ms CPU (log scale)' : 'MB' },
      },
      color,
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values: curveRows(r) },
    hconcat: [
      panel('cpuMs', 'CPU per cycle (per scrape for the exporters)', true),
      panel('rssMb', 'Steady RSS', false),
    ],
    resolve: { scale: { color: 'shared' } },
    config: { legend: { orient: 'bottom', columns: 2, labelLimit: 320 }, font: 'sans-serif' },
  };
}

/** The chart as an SVG document, rendered headless (no canvas, no browser): deterministic for a record. */
export async function renderSvg(r: CurveRecord): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(chartSpec(r)).spec), { renderer: 'none' });
  try {
    return (await view.toSVG()) + '\n';
  } finally {
    view.finalize();
  }
}
