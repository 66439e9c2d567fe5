import type { Logger } from '../log';
import type { AgentMetrics } from '../metrics/agent-metrics';
import { PushError } from '../sink/push-error';
import type { Sink } from '../sink/sink';
import type { Cycle } from './cycle';
import { FailureLog } from './failure-log';
import { nextTick, sleep } from './schedule';

export interface DaemonOptions {
  intervalMs: number;
  /** Delay of the first cycle (the per-host splay). */
  firstDelayMs: number;
  /** How long an in-flight push may finish after a stop is asked for. */
  shutdownGraceMs: number;
}

/**
 * The scheduler loop: collect, render, deliver; forever, until `stop` aborts.
 * Deliveries never overlap because each is awaited before the next cycle, and
 * each has a timeout no longer than the interval. A failed delivery is logged
 * and counted; the next cycle pushes fresh state (a gateway takes no
 * timestamps, so there is nothing to replay). A stop aborts a collection in
 * flight (a spawned ps/top is killed) and that cycle is not pushed. Nothing
 * here exits the process.
 */
export async function runDaemon(
  cycle: Cycle,
  sink: Sink,
  agent: AgentMetrics,
  logger: Logger,
  opts: DaemonOptions,
  stop: AbortSignal,
): Promise<void> {
  const pushLog = new FailureLog(logger, 'push', { url: sink.target });
  // The monotonic clock: a wall-clock step (NTP at boot, a VM resumed) must not stall the loop.
  const start = performance.now() + opts.firstDelayMs;
  let next = start;
  while (!stop.aborted) {
    await sleep(next - performance.now(), stop);
    if (stop.aborted) break;

    const out = await cycle.run(stop);
    if (out === undefined) break;

    const pushStart = performance.now();
    const pushAbort = new AbortController();
    const onStop = (): void => {
      setTimeout(() => pushAbort.abort(), opts.shutdownGraceMs).unref();
    };
    stop.addEventListener('abort', onStop);
    try {
      await sink.send(out, pushAbort.signal);
      pushLog.succeeded();
    } catch (err) {
      const e = err instanceof PushError ? err : new PushError((err as Error).message, 'unknown');
      // A push cut short by a stop or reload is not the gateway's failure.
      if (e.kind !== 'aborted') {
        agent.pushFailures.inc();
        pushLog.failed(e.kind, e.message);
      }
    } finally {
      stop.removeEventListener('abort', onStop);
    }
    // Where the time of each cycle went (npm run bench reads these lines).
    if (logger.isDebugEnabled()) {
      const t = cycle.timings;
      logger.debug('cycle', {
        collectMs: round3(t.collectMs),
        serializeMs: round3(t.serializeMs),
        pushMs: round3(performance.now() - pushStart),
        chars: out.text.length,
        heapUsedBytes: process.memoryUsage().heapUsed,
      });
    }
    next = nextTick(start, opts.intervalMs, performance.now());
  }
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
