/**
 * What prom-client costs the agent's hot path, at 1000 exported processes:
 * `node --expose-gc dist/bench/exposition-model.js [--processes 1000] [--rounds 200]`.
 *
 * (a) CPU per cycle: the agent's renderer over `snapshot()` against prom-client's
 *     own `registry.metrics()` on the same families (and whether the bytes are
 *     equal); writing the cycle into prom-client against into plain Maps.
 * (b) Heap per series held: prom-client Gauges/Counters against plain Maps of
 *     label key -> {labels, value} (the smallest explicit model).
 * Prints one JSON line. No timing is asserted anywhere: a shared 2-core machine.
 */
import { Registry } from 'prom-client';
import { renderExposition, snapshot } from '../agent/metrics/exposition';
import { ProcessMetrics, type ProcessCycle } from '../agent/metrics/process-metrics';
import { TableFamily } from '../agent/metrics/table-family';
import type { GroupRow } from '../agent/grouping/group-accumulator';
import type { ProcessSample } from '../platforms/types';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const N = arg('processes', 1000);
const ROUNDS = arg('rounds', 200);

function cycle(n: number, tick: number): ProcessCycle {
  const processes: ProcessSample[] = [];
  for (let i = 0; i < n; i++) {
    processes.push({
      pid: 1000 + i,
      ppid: 1,
      comm: `worker-${i % 100}`,
      rssBytes: 4096 * (1000 + i + tick),
      vszBytes: 8192 * (1000 + i),
      cpuUserSeconds: i / 100 + tick / 10,
      cpuSystemSeconds: i / 1000 + tick / 100,
      threads: 1 + (i % 8),
      startTimeSeconds: 1_700_000_000 + i,
    });
  }
  const groups = new Map<string, GroupRow>();
  for (let g = 0; g < 100; g++)
    groups.set(`worker-${g}`, {
      processes: n / 100,
      rssBytes: g * 1e6,
      cpuUserSeconds: g + tick,
      cpuSystemSeconds: g / 2,
      cpuTotalSeconds: 0,
    });
  return {
    processes,
    top: processes,
    processFields: new Set(['rss', 'vsz', 'cpu', 'threads', 'startTime']),
    groups,
    samplerName: 'procfs',
    sampleSeconds: 0.012,
  };
}

function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
async function cpuMsAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.cpuUsage();
  await f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
const median = (xs: number[]): number => +[...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(3);

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  g();
  g();
}

/**
 * The smallest explicit model, for comparison: per family a Map of label key ->
 * {labels, value}, filled from the same cycle (no label validation, fixed families).
 */
type Series = { labels: Record<string, string>; value: number };
function fillPlain(c: ProcessCycle): Array<Map<string, Series>> {
  const fams = Array.from({ length: 8 }, () => new Map<string, Series>());
  const put = (m: Map<string, Series>, labels: Record<string, string>, value: number): void => {
    let key = '';
    for (const k in labels) key += labels[k] + '\u0000';
    m.set(key, { labels, value });
  };
  for (const p of c.top) {
    const labels = { pid: String(p.pid), comm: p.comm };
    put(fams[0], labels, p.rssBytes!);
    put(fams[1], labels, p.vszBytes!);
    put(fams[2], { ...labels, mode: 'user' }, p.cpuUserSeconds!);
    put(fams[2], { ...labels, mode: 'system' }, p.cpuSystemSeconds!);
    put(fams[3], labels, p.threads!);
    put(fams[4], labels, p.startTimeSeconds!);
  }
  for (const [group, g] of c.groups) {
    put(fams[5], { group }, g.processes);
    put(fams[6], { group }, g.rssBytes);
    put(fams[7], { group, mode: 'user' }, g.cpuUserSeconds);
    put(fams[7], { group, mode: 'system' }, g.cpuSystemSeconds);
  }
  return fams;
}

async function main(): Promise<void> {
  const m = new ProcessMetrics();
  const registry = new Registry();
  // ProcessMetrics holds prom-client families only.
  for (const f of m.families) if (!(f instanceof TableFamily)) registry.registerMetric(f);

  const write: number[] = [];
  const plainWrite: number[] = [];
  const hand: number[] = [];
  const own: number[] = [];
  let equal = true;
  let bytes = 0;
  let series = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const c = cycle(N, r);
    write.push(cpuMs(() => m.write(c)));
    plainWrite.push(cpuMs(() => void fillPlain(c)));
    let a = '';
    let b = '';
    // Alternate which goes first, so neither always finds the other's garbage to collect.
    const runHand = async (): Promise<void> => {
      hand.push(await cpuMsAsync(async () => (a = renderExposition(await snapshot(m.families)))));
    };
    const runOwn = async (): Promise<void> => {
      own.push(await cpuMsAsync(async () => (b = await registry.metrics())));
    };
    if (r % 2 === 0) {
      await runHand();
      await runOwn();
    } else {
      await runOwn();
      await runHand();
    }
    equal &&= a === b;
    bytes = a.length;
    series = a.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
  }

  // Heap per series: many copies held at once, so the per-series cost dominates the noise.
  const COPIES = 20;
  const c = cycle(N, 0);
  gc();
  const h0 = process.memoryUsage().heapUsed;
  const sets: ProcessMetrics[] = [];
  for (let i = 0; i < COPIES; i++) {
    const s = new ProcessMetrics();
    s.write(c);
    sets.push(s);
  }
  gc();
  const h1 = process.memoryUsage().heapUsed;
  const plains: Array<Array<Map<string, Series>>> = [];
  for (let i = 0; i < COPIES; i++) plains.push(fillPlain(c));
  gc();
  const h2 = process.memoryUsage().heapUsed;
  console.log(
    JSON.stringify({
      processes: N,
      series,
      rounds: ROUNDS,
      bytesPerRender: bytes,
      bytesEqual: equal,
      cpuMsPerCycle: {
        promClientWrite: median(write),
        plainMapWrite: median(plainWrite),
        handRender: median(hand),
        promClientRender: median(own),
      },
      heapBytesPerSeries: {
        promClient: Math.round((h1 - h0) / COPIES / series),
        plainMap: Math.round((h2 - h1) / COPIES / series),
      },
      kept: sets.length + plains.length,
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
