import type { ScrapeResult } from './scrape-run';
import type { AgentResult } from './agent-run';
import type { Machine } from './machine';
import type { ExporterResult } from './process-exporter';
import type { PathsResult } from './graphite-paths';

export interface Point {
  /** Processes asked for, and counted in /proc just before the agent ran. */
  processes: { requested: number; measured: number };
  /** The benchmark's own filler processes by name, counted in /proc after the agent ran. */
  fillers: Record<string, number>;
  /**
   * What the agent's last push said: hostpulse_agent_processes{state="seen"}
   * and hostpulse_group_processes of each filler name.
   */
  agent: AgentResult & { processesSeen: number | null; fillersSeen: Record<string, number> };
  exporter: ExporterResult | null;
  /** Agent CPU per cycle / process-exporter CPU per scrape. */
  ratio: number | null;
  /** The graphite and statsd sinks' path rendering for --top 1000 against the procfs read of the same cycle. */
  paths: PathsResult;
  /** --sink scrape: the scrapes during the measurement, and the cost of parallel scrapes of one cycle. */
  scrape?: Omit<ScrapeResult, 'agent'>;
  /** --versus-args: the other agent, run at the same time; ratio = this agent's CPU / that one's. */
  versus?: { agentArgs: string; cpuMsPerCycle: number; ratio: number | null };
}

export interface SoakResult {
  processes: number;
  interval: string;
  cycles: number;
  cpuMsPerCycle: number;
  /** Against the real Pushgateway, or a server that accepts pushes and never answers. */
  gateway: 'pushgateway' | 'hanging';
  /** RSS, V8 heap in use, open descriptors and sockets of the agent every few cycles. */
  rss: Array<{ cycle: number; rssMb: number; heapMb: number; fds: number; sockets: number }>;
  rssFirstMb: number;
  rssLastMb: number;
  rssMaxMb: number;
  peakRssMb: number;
}

export interface BenchRecord {
  tool: 'hostpulse-bench';
  date: string;
  machine: Machine;
  settings: {
    interval: string;
    top: number;
    warmup: number;
    cycles: number;
    scrapes: number;
    nodeOptions: string;
    agentArgs?: string;
    /** Memory cgroups made for the run (--cgroups). */
    cgroups?: number;
    sink?: string;
  };
  exporter: { version: string } | { missing: string };
  points: Point[];
  soak: SoakResult | null;
  cleanup: {
    fillerPrefix: string;
    fillersSpawned: number;
    leftover: number;
    pids: number[];
    gatewayPid: number | null;
  };
}

export function renderTable(r: BenchRecord): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memTotalGiB} GiB, ${m.kernel}, node ${m.node}, pushgateway ${m.pushgateway}`,
  );
  out.push(
    `settings: interval ${r.settings.interval}, --top ${r.settings.top}, ${r.settings.cycles} agent cycles after ${r.settings.warmup} warm-up, ` +
      `agent node flags "${r.settings.nodeOptions}"${r.settings.agentArgs ? `, agent flags "${r.settings.agentArgs}"` : ''}, ` +
      (r.settings.cgroups ? `${r.settings.cgroups} memory cgroups made, ` : '') +
      `sink ${r.settings.sink ?? 'pushgateway'}, ` +
      ('version' in r.exporter
        ? `${r.settings.scrapes} scrapes of process-exporter ${r.exporter.version}`
        : r.exporter.missing),
  );
  if (r.points.length > 0) {
    const head = [
      'processes',
      'agent CPU/cycle',
      'collect',
      'serialize',
      'push',
      'agent RSS',
      'exporter CPU/scrape',
      'exporter RSS',
      'agent/exporter',
    ];
    const rows = r.points.map((p) => [
      String(p.processes.measured),
      `${p.agent.cpuMsPerCycle.toFixed(2)} ms`,
      `${p.agent.wallMs.collect.toFixed(2)}`,
      `${p.agent.wallMs.serialize.toFixed(2)}`,
      `${p.agent.wallMs.push.toFixed(2)}`,
      `${p.agent.rssMb.toFixed(1)} MB`,
      p.exporter ? `${p.exporter.cpuMsPerScrape.toFixed(1)} ms` : '-',
      p.exporter ? `${p.exporter.rssMb.toFixed(1)} MB` : '-',
      p.ratio !== null ? p.ratio.toFixed(3) : '-',
    ]);
    out.push('', ...table(head, rows));
    out.push(
      '(collect/serialize/push: median wall ms per cycle as the agent logs them; CPU: user+system from /proc/<pid>/stat)',
    );
    out.push(
      '',
      ...table(
        ['processes', 'per-pid (--top)', 'lines', 'procfs read', 'graphite render', 'statsd render', 'graphite / read'],
        r.points.map(({ paths: p }) => [
          String(p.processes),
          String(p.top),
          String(p.lines),
          `${p.procfsReadMs.toFixed(2)} ms`,
          `${p.graphiteRenderMs.toFixed(2)} ms`,
          `${p.statsdRenderMs.toFixed(2)} ms`,
          (p.graphiteRenderMs / p.procfsReadMs).toFixed(2),
        ]),
      ),
      "(graphite/statsd paths: median wall ms per cycle, rendered in the bench process from the real processes collector's families; procfs read: that cycle's hostpulse_agent_sample_duration_seconds)",
    );
  }
  if (r.soak) {
    const s = r.soak;
    out.push(
      '',
      `soak: ${s.cycles} cycles at ${s.interval}, ${s.processes} processes: CPU ${s.cpuMsPerCycle.toFixed(2)} ms/cycle; ` +
        `RSS ${s.rssFirstMb} MB after warm-up -> ${s.rssLastMb} MB at the end (max ${s.rssMaxMb} MB, high-water ${s.peakRssMb} MB); gateway: ${s.gateway}`,
      ...table(
        ['cycle', 'RSS MB', 'heap MB', 'fds', 'sockets'],
        thin(s.rss, 20).map((x) => [
          String(x.cycle),
          x.rssMb.toFixed(1),
          x.heapMb.toFixed(1),
          String(x.fds),
          String(x.sockets),
        ]),
      ).map((l) => '  ' + l),
    );
  }
  out.push('', `cleanup: ${r.cleanup.fillersSpawned} filler processes spawned, ${r.cleanup.leftover} left over`);
  return out.join('\n');
}

/** At most `n` evenly spaced rows, always with the first and the last. */
function thin<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  const step = (xs.length - 1) / (n - 1);
  return Array.from({ length: n }, (_, i) => xs[Math.round(i * step)]);
}

function table(head: string[], rows: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(w[i])).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)];
}
