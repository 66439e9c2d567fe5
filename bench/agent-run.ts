import * as path from 'path';
import { spawnTracked } from './harness/children';
import { agentEnv } from './harness/env';
import { cpuMs, memory, round2, type Memory } from './proc-stat';

export interface AgentRunOptions {
  gatewayUrl: string;
  instance: string;
  interval: string;
  top: number;
  /** Cycles before the first CPU reading: start-up, JIT warm-up, first fds opened. */
  warmup: number;
  cycles: number;
  /** node's flags for the agent (V8 heap flags), given on its command line as the launcher does. */
  nodeOptions: string;
  /** More flags for the agent (--group-by cgroup, --process-detail ...). */
  extraArgs?: string[];
  /** Push timeout (the agent's default when absent). */
  pushTimeout?: string;
  /** The agent's dist/agent/cli/main.js: another checkout's build (--baseline-dir); this build's when absent. */
  main?: string;
}

/** Per-cycle wall times the agent logs at debug level (see agent/loop/daemon.ts). */
export interface CycleLine {
  /** All collectors, run at once: sampling and writing the metrics. */
  collectMs: number;
  serializeMs: number;
  pushMs: number;
  chars: number;
  heapUsedBytes: number;
}

export interface AgentResult extends Memory {
  pid: number;
  cycles: number;
  /** user+system CPU of the agent process per cycle, start-up excluded. */
  cpuMsPerCycle: number;
  /** Medians over the measured cycles, milliseconds of wall time. */
  wallMs: { collect: number; serialize: number; push: number; total: number };
  exposition: { chars: number };
  pushFailures: number;
}

const MAIN = path.resolve(__dirname, '..', 'agent', 'cli', 'main.js');

/**
 * Runs the real `hostpulse run` loop against the gateway and reads the
 * kernel's CPU accounting of it after `warmup` cycles and after `cycles` more.
 * Readings are taken when a cycle's log line arrives, i.e. while the agent
 * sleeps until its next tick.
 */
export async function measureAgent(
  o: AgentRunOptions,
  onCycle?: (n: number, pid: number, line: CycleLine) => void,
): Promise<AgentResult> {
  const lines: CycleLine[] = [];
  let pushFailures = 0;
  let cpuStart = 0;
  let cpuEnd = 0;
  let mem: Memory | undefined;
  let done!: () => void;
  let failed!: (e: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const stderrTail: string[] = [];

  const child = spawnTracked(
    process.execPath,
    [
      ...nodeArgs(o.nodeOptions),
      o.main ?? MAIN,
      'run',
      '--pushgateway-url',
      o.gatewayUrl,
      '--job',
      'hostpulse_bench',
      '--instance',
      o.instance,
      '--interval',
      o.interval,
      '--top',
      String(o.top),
      '--sampler',
      'procfs',
      '--log-level',
      'debug',
      '--log-format',
      'json',
      ...(o.pushTimeout ? ['--push-timeout', o.pushTimeout] : []),
      ...(o.extraArgs ?? []),
    ],
    {
      group: true,
      // A soak runs for hours: parse each line, keep none.
      capture: false,
      stdio: ['ignore', 'ignore', 'pipe'],
      // The caller's HOSTPULSE_* settings must not change what is measured.
      env: agentEnv(),
      onStderrLine: (line) => {
        let rec: Record<string, unknown>;
        try {
          rec = JSON.parse(line) as Record<string, unknown>;
        } catch {
          // Not a log line (e.g. a crash trace): keep it for the error message.
          stderrTail.push(line);
          if (stderrTail.length > 20) stderrTail.shift();
          return;
        }
        if (typeof rec.message === 'string' && rec.message.startsWith('push failed')) pushFailures++;
        if (rec.message !== 'cycle') return;
        const n = lines.push(rec as unknown as CycleLine);
        onCycle?.(n, child.pid, rec as unknown as CycleLine);
        try {
          if (n === o.warmup) cpuStart = cpuMs(child.pid);
          if (n === o.warmup + o.cycles) {
            cpuEnd = cpuMs(child.pid);
            mem = memory(child.pid);
            done();
          }
        } catch (err) {
          failed(err as Error);
        }
      },
    },
  );
  void child.exited.then(({ code }) =>
    failed(new Error(`the agent exited (code ${code}) before ${o.warmup + o.cycles} cycles: ${stderrTail.join('\n')}`)),
  );
  try {
    await finished;
  } finally {
    await child.stop();
  }
  const measured = lines.slice(o.warmup, o.warmup + o.cycles);
  const med = (f: (l: CycleLine) => number): number => round2(median(measured.map(f)));
  if (!mem) throw new Error('no memory reading of the agent');
  return {
    pid: child.pid,
    cycles: o.cycles,
    cpuMsPerCycle: round2((cpuEnd - cpuStart) / o.cycles),
    wallMs: {
      collect: med((l) => l.collectMs),
      serialize: med((l) => l.serializeMs),
      push: med((l) => l.pushMs),
      total: med((l) => l.collectMs + l.serializeMs + l.pushMs),
    },
    exposition: { chars: measured.length ? measured[measured.length - 1].chars : 0 },
    pushFailures,
    ...mem,
  };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** --node-options as node's own arguments: on the command line, as the launcher passes them (node refuses --single-threaded in NODE_OPTIONS). */
export function nodeArgs(options: string): string[] {
  return options.split(/\s+/).filter((a) => a !== '');
}
