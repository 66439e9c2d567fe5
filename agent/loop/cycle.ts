import type { Collector } from '../collectors/collector';
import type { Logger } from '../log';
import type { AgentMetrics } from '../metrics/agent-metrics';
import type { Family } from '../metrics/families';
import { ExpositionRenderer, snapshot } from '../metrics/exposition';
import type { Batch } from '../sink/sink';
import { FailureLog } from '../common/failure-log';

/** Where the time of one cycle went, in milliseconds (the benchmark reads these). */
export interface CycleTimings {
  collectMs: number;
  serializeMs: number;
}

/**
 * One pass: run every collector on its own (settled, never all-or-nothing),
 * record each one's success and duration, render what succeeded plus the
 * agent's own families. The delivery is the caller's.
 */
export class Cycle {
  readonly timings: CycleTimings = { collectMs: 0, serializeMs: 0 };
  private readonly logs: FailureLog[];
  private readonly renderer = new ExpositionRenderer();

  constructor(
    readonly collectors: readonly Collector[],
    private readonly agent: AgentMetrics,
    logger: Logger,
    /** Families the sink keeps (remote write's own counters), pushed after the agent's. */
    private readonly sinkFamilies: readonly Family[] = [],
  ) {
    this.logs = collectors.map((c) => new FailureLog(logger, `collector ${c.name}`, { collector: c.name }));
  }

  /**
   * Undefined when `signal` aborted the cycle (stop or reload): a cut-short
   * cycle is not pushed. `timestampMs` is the batch's sampling time: the
   * daemon passes the tick the cycle ran for.
   */
  async run(signal: AbortSignal, timestampMs = Date.now()): Promise<Batch | undefined> {
    const t0 = performance.now();
    const durations: number[] = [];
    const results = await Promise.allSettled(
      this.collectors.map(async (c, i) => {
        const start = performance.now();
        try {
          return await c.collect(signal);
        } finally {
          durations[i] = (performance.now() - start) / 1000;
        }
      }),
    );
    if (signal.aborted) return undefined;

    const families: Family[] = [];
    results.forEach((r, i) => {
      const c = this.collectors[i];
      const log = this.logs[i];
      const labels = { collector: c.name };
      this.agent.collectorDuration.set(labels, durations[i]);
      // Resolved: its families go out, even when incomplete. Rejected: nothing of it does.
      if (r.status === 'fulfilled') families.push(...c.families);
      const ok = r.status === 'fulfilled' && r.value === undefined;
      this.agent.collectorSuccess.set(labels, ok ? 1 : 0);
      if (ok) {
        log.succeeded();
        return;
      }
      this.agent.collectorFailures.inc(labels);
      if (r.status === 'rejected') log.failed('error', r.reason instanceof Error ? r.reason.message : String(r.reason));
      else if (r.value !== undefined) log.failed(r.value.reason, `incomplete: ${r.value.message}`);
    });
    families.push(...this.agent.families, ...this.sinkFamilies);

    const t1 = performance.now();
    const snap = await snapshot(families);
    const exposition = this.renderer.render(snap);
    this.timings.collectMs = t1 - t0;
    this.timings.serializeMs = performance.now() - t1;
    return { families: snap, exposition, timestampMs };
  }

  close(): void {
    for (const c of this.collectors) c.close();
  }
}
