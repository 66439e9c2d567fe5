import type { Logger } from '../log';
import type { AgentMetrics } from '../metrics/agent-metrics';
import type { SinkMetrics } from '../metrics/sink-metrics';
import { PushError } from '../common/push-error';
import type { Batch, Sink } from '../sink/sink';
import { FailureLog } from '../common/failure-log';

/**
 * Delivers the cycles to one sink, on its own: a slow or failing sink never
 * holds up the cycle or another sink. One delivery at a time; a cycle that
 * comes while one is in flight waits: in the sink's buffer when it keeps
 * every batch (remote write, graphite: no timestamp is lost), otherwise as
 * the newest batch only (Pushgateway, statsd: only the newest state matters).
 */
export class SinkRunner {
  private inFlight: Promise<void> | undefined;
  private newest: Batch | undefined;
  private flushQueued = false;
  private readonly log: FailureLog;
  private readonly abort = new AbortController();

  constructor(
    readonly sink: Sink,
    private readonly agent: AgentMetrics,
    private readonly metrics: SinkMetrics,
    logger: Logger,
  ) {
    this.log = new FailureLog(logger, 'push', { sink: sink.name, url: sink.target });
  }

  /** Hands the cycle over; never waits. */
  offer(batch: Batch): void {
    if (this.inFlight === undefined) {
      this.start(() => this.sink.send(batch, this.abort.signal));
      return;
    }
    const buffered = this.sink.buffered;
    if (buffered === undefined) {
      this.newest = batch;
      return;
    }
    try {
      buffered.enqueue(batch);
      this.flushQueued = true;
    } catch (err) {
      // A disk buffer that cannot be written (disk full): this cycle is lost to this sink, said and counted.
      this.failed(new PushError(`cannot buffer the cycle: ${(err as Error).message}`, 'buffer'));
    }
  }

  /** Resolves when nothing is in flight or queued here. */
  async idle(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  /** Lets an in-flight delivery land for `graceMs`, then aborts it; resolves when it has ended. A batch still waiting here is dropped. */
  async stop(graceMs: number): Promise<void> {
    this.newest = undefined;
    this.flushQueued = false;
    const inFlight = this.inFlight;
    if (inFlight === undefined) return;
    const timer = setTimeout(() => this.abort.abort(), graceMs);
    try {
      await inFlight;
    } finally {
      clearTimeout(timer);
    }
  }

  private start(deliver: () => Promise<void>): void {
    this.inFlight = deliver()
      .then(
        () => this.log.succeeded(),
        (err: unknown) =>
          this.failed(err instanceof PushError ? err : new PushError((err as Error).message, 'unknown')),
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.abort.signal.aborted) return;
        const next = this.newest;
        this.newest = undefined;
        if (next !== undefined) this.start(() => this.sink.send(next, this.abort.signal));
        else if (this.flushQueued && this.sink.buffered !== undefined) {
          this.flushQueued = false;
          const buffered = this.sink.buffered;
          this.start(() => buffered.flush(this.abort.signal));
        }
      });
  }

  private failed(e: PushError): void {
    // A push cut short by a stop or reload is not the backend's failure.
    if (e.kind === 'aborted') return;
    this.agent.pushFailures.inc();
    this.metrics.failures.inc({ sink: this.sink.name });
    this.log.failed(e.kind, e.message);
  }
}
