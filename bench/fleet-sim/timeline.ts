import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseReceiverMetrics, type ReceiverReading } from './receiver-metrics';
import { receiverRates } from './report';

/**
 * `node dist/bench/fleet-sim/timeline.js OUTDIR [--from SECONDS]`: VictoriaMetrics over a
 * `split.sh` run, from the /metrics it kept every SAMPLE_EVERY seconds (OUTDIR/timeline/), split
 * into the start-up burst (every host's first push creates all its series) and the steady state
 * after it. The burst ends at the first reading with 99% of the fleet's series created (hosts ×
 * series per host, from the parts' reports) unless --from says where. Prints one JSON object.
 */

/** One reading: seconds since VictoriaMetrics answered, the load average, its data directory's bytes. */
export interface TimelinePoint {
  seconds: number;
  load1: number;
  duBytes: number;
  reading: ReceiverReading;
}

/** VictoriaMetrics between two readings. */
export interface WindowFigures {
  fromSeconds: number;
  toSeconds: number;
  /** Samples stored per second (vm_rows_inserted_total). */
  rowsPerSecond: number;
  cpuCores: number;
  cpuCoresPer100kSamplesPerSecond: number;
  newSeries: number;
  activeSeriesEnd: number;
  rssMbEnd: number;
  rssMbPeak: number;
  /** vm_data_size_bytes' growth, scaled to a day (merges shrink it later: an upper bound). */
  dataMbPerDay: number;
  /** The data directory on disk (`du`) at the window's end. */
  duMbEnd: number;
  loadMin: number;
  loadMax: number;
}

const MB = 1024 * 1024;
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Pure: the figures between points[from] and points[to] (indexes, from < to). */
export function windowFigures(points: readonly TimelinePoint[], from: number, to: number): WindowFigures {
  const a = points[from];
  const b = points[to];
  const seconds = Math.max(1, b.seconds - a.seconds);
  const rates = receiverRates(a.reading, b.reading, seconds);
  const inside = points.slice(from, to + 1);
  return {
    fromSeconds: a.seconds,
    toSeconds: b.seconds,
    rowsPerSecond: rates.rowsPerSecond,
    cpuCores: rates.cpuCores,
    cpuCoresPer100kSamplesPerSecond: rates.cpuCoresPer100kSamplesPerSecond,
    newSeries: rates.newSeries,
    activeSeriesEnd: b.reading.activeSeries,
    rssMbEnd: round(b.reading.rssBytes / MB),
    rssMbPeak: round(Math.max(...inside.map((p) => p.reading.rssBytes)) / MB),
    dataMbPerDay: rates.diskMbPerDay,
    duMbEnd: round(b.duBytes / MB),
    loadMin: Math.min(...inside.map((p) => p.load1)),
    loadMax: Math.max(...inside.map((p) => p.load1)),
  };
}

/**
 * Pure: the index of the first reading with at least 99% of `expectedSeries` created, the end of the
 * start-up burst; undefined when the run never got there (hosts that never arrived).
 */
export function burstEnd(points: readonly TimelinePoint[], expectedSeries: number): number | undefined {
  const i = points.findIndex((p) => p.reading.newSeries >= 0.99 * expectedSeries);
  return i < 0 ? undefined : i;
}

/** Pure: the readings from timeline.tsv's rows and the /metrics text kept at each of their seconds. */
export function parseTimeline(tsv: string, metricsAt: (seconds: number) => string | undefined): TimelinePoint[] {
  const points: TimelinePoint[] = [];
  for (const line of tsv.split('\n').slice(1)) {
    const [s, load, du] = line.split('\t');
    if (s === undefined || s === '') continue;
    const text = metricsAt(Number(s));
    // A reading VictoriaMetrics did not answer in time (busy) is an empty file: skipped.
    if (text === undefined || !text.includes('process_cpu_seconds_total')) continue;
    points.push({
      seconds: Number(s),
      load1: Number(load),
      duBytes: Number(du) || 0,
      reading: parseReceiverMetrics(text),
    });
  }
  return points;
}

function main(): void {
  const [dir, flag, value] = process.argv.slice(2);
  if (dir === undefined || (flag !== undefined && (flag !== '--from' || !Number.isFinite(Number(value))))) {
    process.stderr.write('usage: timeline.js OUTDIR [--from SECONDS]\n');
    process.exit(2);
  }
  const text = (s: number): string | undefined => {
    try {
      return readFileSync(join(dir, 'timeline', `${s}.txt`), 'utf8');
    } catch {
      return undefined;
    }
  };
  const points = parseTimeline(readFileSync(join(dir, 'timeline.tsv'), 'utf8'), text);
  if (points.length < 2) throw new Error(`${dir}: fewer than two readings in timeline/`);
  const parts = readdirSync(dir)
    .filter((f) => /^part-[a-z]\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { hosts: number; seriesPerHost: number });
  const expectedSeries = parts.reduce((n, p) => n + p.hosts * p.seriesPerHost, 0);
  const last = points.length - 1;
  const from =
    flag === '--from' ? points.findIndex((p) => p.seconds >= Number(value)) : burstEnd(points, expectedSeries);
  const out = {
    expectedSeries,
    readings: points.length,
    whole: windowFigures(points, 0, last),
    burst: from === undefined || from <= 0 ? null : windowFigures(points, 0, from),
    steady: from === undefined || from < 0 || from >= last ? null : windowFigures(points, from, last),
    timeline: points.map((p) => ({
      s: p.seconds,
      load1: p.load1,
      newSeries: p.reading.newSeries,
      activeSeries: p.reading.activeSeries,
      rows: p.reading.rowsInserted,
      cpuS: round(p.reading.cpuSeconds),
      rssMb: round(p.reading.rssBytes / MB),
      duMb: round(p.duBytes / MB),
    })),
  };
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

if (require.main === module) main();
