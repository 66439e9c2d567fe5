import type { Logger } from '../log';
import type { HostpulseMetrics } from '../metrics/registry';
import { PushError } from '../sink/push-error';
import type { PushgatewaySink } from '../sink/pushgateway';
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
 * The scheduler loop: sample, map, push; forever, until `stop` aborts.
 * Pushes never overlap because each is awaited before the next cycle, and each
 * has a timeout no longer than the interval. A failed push is logged and
 * counted; the next cycle pushes fresh state (a gateway takes no timestamps,
 * so there is nothing to replay). Nothing here exits the process.
 */
export async function runDaemon(
  cycle: Cycle,
  sink: PushgatewaySink,
  metrics: HostpulseMetrics,
  logger: Logger,
  opts: DaemonOptions,
  stop: AbortSignal,
): Promise<void> {
  const pushLog = new FailureLog(logger, 'push', { url: sink.url });
  const sampleLog = new FailureLog(logger, 'sampling');
  // The monotonic clock: a wall-clock step (NTP at boot, a VM resumed) must not stall the loop.
  const start = performance.now() + opts.firstDelayMs;
  let next = start;
  while (!stop.aborted) {
    await sleep(next - performance.now(), stop);
    if (stop.aborted) break;

    let text: string | undefined;
    try {
      text = await cycle.run();
      sampleLog.succeeded();
    } catch (err) {
      metrics.sampleErrors.inc({ reason: 'sampler_failed' });
      sampleLog.failed('sampler_failed', (err as Error).message);
    }

    if (text !== undefined) {
      const pushStart = performance.now();
      const pushAbort = new AbortController();
      const onStop = (): void => {
        setTimeout(() => pushAbort.abort(), opts.shutdownGraceMs).unref();
      };
      stop.addEventListener('abort', onStop);
      // A stop that came while sampling (a slow ps/top spawn) starts the grace period now.
      if (stop.aborted) onStop();
      try {
        await sink.push(text, pushAbort.signal);
        pushLog.succeeded();
      } catch (err) {
        const e = err instanceof PushError ? err : new PushError((err as Error).message, 'unknown');
        // A push cut short by a stop or reload is not the gateway's failure.
        if (e.kind !== 'aborted') {
          metrics.pushFailures.inc();
          pushLog.failed(e.kind, e.message);
        }
      } finally {
        stop.removeEventListener('abort', onStop);
      }
      // Where the time of each cycle went (npm run bench reads these lines).
      if (logger.isDebugEnabled()) {
        const t = cycle.timings;
        logger.debug('cycle', {
          sampleMs: round3(t.sampleMs),
          mapMs: round3(t.mapMs),
          serializeMs: round3(t.serializeMs),
          pushMs: round3(performance.now() - pushStart),
          chars: text.length,
          heapUsedBytes: process.memoryUsage().heapUsed,
        });
      }
    }
    next = nextTick(start, opts.intervalMs, performance.now());
  }
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
