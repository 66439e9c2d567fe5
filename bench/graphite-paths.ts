import { setUpAgent } from '../agent/cli/setup';
import { GraphitePaths } from '../agent/sink/graphite/paths';
import { renderPlaintext } from '../agent/sink/graphite/plaintext';
import { gaugeDatagrams } from '../agent/sink/statsd/datagrams';

/** Per-pid series for this many processes: the "--top 1000". */
export const PATHS_TOP = 1000;

export interface PathsResult {
  top: number;
  /** Processes the sampler read, and per-pid series rendered, in the last cycle. */
  processes: number;
  lines: number;
  /** Median wall ms per cycle: the procfs read (the sampler's own figure), and each sink's rendering of the same cycle. */
  procfsReadMs: number;
  graphiteRenderMs: number;
  statsdRenderMs: number;
}

/**
 * The graphite and statsd sinks' rendering cost, in this process: the real
 * processes collector (procfs, --top 1000, no CPU top) runs `cycles` cycles;
 * each cycle's families are rendered to carbon plaintext and to statsd
 * datagrams, timed against the sampler's read of /proc in that cycle.
 */
export async function measurePaths(cycles: number, warmup: number): Promise<PathsResult> {
  const parts = await setUpAgent({
    'pushgateway-url': 'http://127.0.0.1:9091',
    job: 'hostpulse_bench',
    instance: 'bench-paths',
    interval: '15s',
    top: PATHS_TOP,
    'top-cpu': 0,
    collectors: 'processes',
    sampler: 'procfs',
    'procfs-root': '/proc',
    'log-level': 'error',
    'log-format': 'json',
  });
  parts.activate();
  const paths = new GraphitePaths(['hostpulse'], 'bench-paths');
  const read: number[] = [];
  const graphite: number[] = [];
  const statsd: number[] = [];
  let lines = 0;
  let processes = 0;
  try {
    for (let i = 0; i < warmup + cycles; i++) {
      const batch = await parts.cycle.run(new AbortController().signal);
      if (batch === undefined) throw new Error('cycle aborted');
      const t0 = performance.now();
      const plain = renderPlaintext(batch.families, paths, Math.floor(batch.timestampMs / 1000));
      const t1 = performance.now();
      gaugeDatagrams(batch.families, paths, 1432);
      const t2 = performance.now();
      if (i < warmup) continue;
      const value = (family: string, label?: [string, string]): number =>
        batch.families
          .find((f) => f.name === family)
          ?.values.find((v) => label === undefined || v.labels[label[0]] === label[1])?.value ?? Number.NaN;
      read.push(value('hostpulse_agent_sample_duration_seconds') * 1000);
      graphite.push(t1 - t0);
      statsd.push(t2 - t1);
      lines = plain.samples;
      processes = value('hostpulse_agent_processes', ['state', 'seen']);
    }
  } finally {
    parts.close();
  }
  return {
    top: PATHS_TOP,
    processes,
    lines,
    procfsReadMs: median(read),
    graphiteRenderMs: median(graphite),
    statsdRenderMs: median(statsd),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 1000) / 1000;
}
