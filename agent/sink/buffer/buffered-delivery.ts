import type { Logger } from '../../log';
import type { SinkMetrics } from '../../metrics/sink-metrics';
import { sleep } from '../../common/sleep';
import { PushError } from '../../common/push-error';
import { Backoff, retryInOrder, type Attempt } from '../../common/retry';
import type { QueuedRequest, RequestQueue } from './queue';

/** A queued request with its bytes, as a sink delivers it. */
export type QueuedBody = QueuedRequest & { body: Buffer };

/** What one delivery attempt of a queued request came to. A thrown PushError is a `retry` too. */
export type Delivery =
  | { outcome: 'sent' }
  | { outcome: 'retry'; kind: string; message: string; retryAfterMs?: number }
  /** The backend refused it for good (remote write: a 4xx other than 429): dropped, counted. */
  | { outcome: 'rejected'; kind: string; message: string };

export interface BufferedDeliveryOptions {
  /** The `sink` label and log prefix: remote-write, graphite. */
  sink: string;
  queue: RequestQueue;
  metrics: SinkMetrics;
  logger: Logger;
  /** How long one drain may take, back-off included. */
  timeoutMs: number;
  /** false for `once`: one attempt, no back-off wait. */
  retry: boolean;
  /** The clock of back-off and deadline (performance.now by default; a test's own clock). */
  now?: () => number;
}

/**
 * The part every buffered sink (remote write, graphite) shares: a cycle is
 * queued first (memory or --buffer-dir, bounded; a full queue drops its
 * oldest, never the newest), then the queue is sent oldest first, so a
 * series' new sample never overtakes its buffered ones. A failure leaves the
 * request at the head and waits a back-off (or the backend's Retry-After).
 */
export class BufferedDelivery {
  /** The back-off in force, kept from one drain to the next. */
  private readonly backoff = new Backoff(() => this.now());
  /** Why the back-off is in force: a wait reports the failure it waits out, so an outage stays one state in the log. */
  private failingKind = 'backoff';

  constructor(private readonly opts: BufferedDeliveryOptions) {
    this.updateGauges();
  }

  get queue(): RequestQueue {
    return this.opts.queue;
  }

  /** Queues one cycle's body; never touches the network. */
  enqueue(timestampMs: number, samples: number, body: Buffer): void {
    const { queue, metrics, sink } = this.opts;
    const evicted = queue.push({ timestampMs, samples, body });
    if (evicted.length > 0) {
      const dropped = evicted.reduce((n, r) => n + r.samples, 0);
      metrics.samplesDropped.inc({ sink, reason: 'buffer_full' }, dropped);
      this.opts.logger.warn(`${sink} buffer full: dropped the oldest samples`, {
        sink,
        requests: evicted.length,
        samples: dropped,
        bytes: queue.bytes,
      });
    }
    this.updateGauges();
  }

  /**
   * Sends the queue oldest first until it is empty; throws PushError when the
   * newest request is still waiting or was rejected. Each request gets the
   * whole `attemptMs`: one cut short after the backend took it would be sent
   * twice. A new one only starts before the drain's deadline.
   */
  async drain(
    deliver: (req: QueuedBody, signal?: AbortSignal) => Promise<Delivery>,
    signal?: AbortSignal,
  ): Promise<void> {
    try {
      await this.drainQueue(deliver, this.now() + this.opts.timeoutMs, signal);
    } finally {
      this.updateGauges();
    }
  }

  private async drainQueue(
    deliver: (req: QueuedBody, signal?: AbortSignal) => Promise<Delivery>,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const { queue, metrics, logger, sink } = this.opts;
    let rejected: PushError | undefined;
    /** The last failed attempt's reason, for the error that ends the drain. */
    let failure = { kind: '', message: '' };
    await retryInOrder<QueuedBody>(
      {
        head: () => {
          const req = queue.peek();
          this.countCorrupt();
          return req;
        },
        // An empty queue ends the drain.
        idle: () => Promise.resolve(false),
        wait: async (req, ms) => {
          if (!this.opts.retry || this.now() + ms >= deadline || signal?.aborted)
            throw this.waiting(req, this.failingKind, `waiting ${Math.round(ms)}ms to retry`);
          await sleep(ms, signal ?? new AbortController().signal);
          if (signal?.aborted) throw new PushError('aborted at shutdown', 'aborted');
          return true;
        },
        attempt: async (req): Promise<Attempt> => {
          if (this.now() >= deadline) throw this.waiting(req, 'timeout', 'out of time before the queue was sent');
          // Pinned while awaited: a push meanwhile evicts around it, so its answer is counted once and removes only it.
          // It stays pinned until remove(): no push can slip in between the answer and the removal.
          queue.pin(req.seq);
          const d = await deliver(req, signal).catch((err: unknown): Delivery => {
            if (err instanceof PushError && err.kind === 'aborted') {
              queue.pin(undefined);
              throw err;
            }
            return err instanceof PushError
              ? { outcome: 'retry', kind: err.kind, message: err.message }
              : { outcome: 'retry', kind: 'unknown', message: String(err) };
          });
          if (d.outcome === 'retry') {
            queue.pin(undefined);
            failure = d;
            return { outcome: 'retry', retryAfterMs: d.retryAfterMs };
          }
          queue.remove(req.seq);
          if (d.outcome === 'sent') {
            metrics.samplesSent.inc({ sink }, req.samples);
            return { outcome: 'done' };
          }
          metrics.samplesDropped.inc({ sink, reason: 'rejected' }, req.samples);
          logger.warn(`${sink} rejected a request, dropped: ${d.message}`, { sink, samples: req.samples });
          rejected = new PushError(`rejected, ${req.samples} samples dropped: ${d.message}`, d.kind);
          // A rejection resets the back-off as a delivery does: the backend answered.
          return { outcome: 'done' };
        },
        // A failed request ends the drain; the next one waits out the back-off first.
        retrying: (req) => {
          metrics.sendRetries.inc({ sink });
          this.failingKind = failure.kind;
          throw this.waiting(req, failure.kind, failure.message);
        },
      },
      this.backoff,
    );
    // Everything older went; the newest (this cycle's) was the last one sent, so a rejection there is this cycle's failure.
    if (rejected !== undefined && queue.length === 0) throw rejected;
  }

  /** What the queue skipped as unreadable or corrupt (or could not delete): counted dropped once, logged. */
  private countCorrupt(): void {
    const { queue, metrics, logger, sink } = this.opts;
    for (const c of queue.takeCorrupt()) {
      metrics.samplesDropped.inc({ sink, reason: 'corrupt' }, c.samples);
      logger.warn(`${sink} buffer: a stored request: ${c.reason}`, {
        sink,
        samples: c.samples,
        sampledAt: new Date(c.timestampMs).toISOString(),
      });
    }
  }

  private waiting(req: QueuedRequest, kind: string, message: string): PushError {
    return new PushError(
      `${message} (${this.opts.queue.length} requests buffered, oldest from ${new Date(req.timestampMs).toISOString()})`,
      kind,
    );
  }

  private updateGauges(): void {
    const { queue, metrics, sink } = this.opts;
    metrics.bufferBytes.set({ sink }, queue.bytes);
    const oldest = queue.oldestTimestampMs();
    metrics.bufferOldestAge.set({ sink }, oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
  }

  private now(): number {
    return this.opts.now?.() ?? performance.now();
  }

  close(): void {
    this.opts.queue.close();
  }
}
