import type { Logger } from '../log';
import type { Cycle } from './cycle';
import type { SinkRunner } from './sink-runner';
import { sleep } from '../common/sleep';
import { nextTick } from './schedule';

export interface DaemonOptions {
  intervalMs: number;
  /** Delay of the first cycle (the per-host splay). */
  firstDelayMs: number;
  /** How long an in-flight push may finish after a stop is asked for. */
  shutdownGraceMs: number;
}

/**
 * The scheduler loop: collect, render, hand the cycle to every sink; forever,
 * until `stop` aborts. Each sink delivers on its own (SinkRunner): the loop
 * waits for the deliveries only until the next tick, so a slow sink never
 * costs a cycle, neither its own nor another sink's. A stop aborts a
 * collection in flight (a spawned ps/top is killed) and that cycle is not
 * pushed; deliveries in flight get `shutdownGraceMs` to land. Nothing here
 * exits the process.
 */
export async function runDaemon(
  cycle: Cycle,
  runners: readonly SinkRunner[],
  logger: Logger,
  opts: DaemonOptions,
  stop: AbortSignal,
): Promise<void> {
  // The monotonic clock: a wall-clock step (NTP at boot, a VM resumed) must not stall the loop.
  const start = performance.now() + opts.firstDelayMs;
  let next = start;
  try {
    while (!stop.aborted) {
      await sleep(next - performance.now(), stop);
      if (stop.aborted) break;

      // Stamped with its tick on the wall clock, not the moment the timer fired: cycles stay exactly an
      // interval apart, so a 1 s Graphite archive gets one point per second even when a busy machine
      // wakes the loop a few hundred ms late (Prometheus aligns scrape timestamps likewise).
      const timestampMs = Math.round(Date.now() - Math.max(0, performance.now() - next));
      const out = await cycle.run(stop, timestampMs);
      if (out === undefined) break;

      const pushStart = performance.now();
      for (const r of runners) r.offer(out);
      // Deliveries usually end well within the interval; waiting for them keeps at most one in flight per sink
      // in the common case and lets the timing below say how long they took.
      // The next tick is fixed before waiting: a wait that ends on it must not skip it.
      next = nextTick(start, opts.intervalMs, performance.now());
      const wake = new AbortController();
      const onStop = (): void => wake.abort();
      stop.addEventListener('abort', onStop);
      try {
        await Promise.race([Promise.all(runners.map((r) => r.idle())), sleep(next - performance.now(), wake.signal)]);
      } finally {
        wake.abort();
        stop.removeEventListener('abort', onStop);
      }
      // Where the time of each cycle went (npm run bench reads these lines).
      if (logger.isDebugEnabled()) {
        const t = cycle.timings;
        logger.debug('cycle', {
          collectMs: round3(t.collectMs),
          serializeMs: round3(t.serializeMs),
          pushMs: round3(performance.now() - pushStart),
          // Bytes of UTF-8 (the name kept: the bench reads it from older builds too).
          chars: out.exposition.length,
          heapUsedBytes: process.memoryUsage().heapUsed,
        });
      }
    }
  } finally {
    await Promise.all(runners.map((r) => r.stop(opts.shutdownGraceMs)));
  }
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
