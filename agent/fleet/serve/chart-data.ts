import type { MatrixSeries } from '../matrix';
import type { TimeRange } from '../prometheus-client';

/**
 * Range-query answers as the page's charts take them (uPlot's columns): one
 * shared time axis of every step, each series' value at each step or null
 * where it had none, so a gap shows as a gap and not as zero. Pure.
 */
export interface ChartSeries {
  name: string;
  values: (number | null)[];
}

export interface ChartData {
  /** Unix seconds of every step from start to end. */
  times: number[];
  series: ChartSeries[];
}

/** The steps of a range, as Prometheus evaluates them: start, start + step, ... <= end. */
export function stepTimes(range: TimeRange): number[] {
  const times: number[] = [];
  for (let t = range.start; t <= range.end + 1e-9; t += range.step) times.push(Math.round(t * 1000) / 1000);
  return times;
}

/** Series named by `nameOf` (undefined: left out), aligned on the range's steps, values rounded to `digits`. */
export function alignSeries(
  answer: readonly MatrixSeries[],
  range: TimeRange,
  nameOf: (metric: Record<string, string>) => string | undefined,
  digits = 3,
): ChartData {
  const times = stepTimes(range);
  const index = new Map(times.map((t, i) => [t, i]));
  const f = 10 ** digits;
  const series: ChartSeries[] = [];
  for (const s of answer) {
    const name = nameOf(s.metric);
    if (name === undefined) continue;
    const values: (number | null)[] = times.map(() => null);
    for (const [t, text] of s.values) {
      const i = index.get(Math.round(t * 1000) / 1000);
      const v = Number(text);
      if (i !== undefined && Number.isFinite(v)) values[i] = Math.round(v * f) / f;
    }
    series.push({ name, values });
  }
  series.sort((a, b) => a.name.localeCompare(b.name));
  return { times, series };
}

/** The last `seconds` up to `now`, in about `points` steps of whole seconds (>= 1 s). */
export function lastRange(now: number, seconds: number, points: number): TimeRange {
  const step = Math.max(1, Math.round(seconds / points));
  const end = Math.floor(now / step) * step;
  return { start: end - Math.floor(seconds / step) * step, end, step };
}

/** Series by one label, keyed by its value: the fleet table's sparklines, one per host. */
export function seriesByLabel(answer: readonly MatrixSeries[], range: TimeRange, label: string, digits = 1): ChartData {
  return alignSeries(answer, range, (m) => m[label], digits);
}
