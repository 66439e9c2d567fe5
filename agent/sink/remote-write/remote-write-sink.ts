import type { Logger } from '../../log';
import type { RemoteWriteMetrics } from '../../metrics/remote-write-metrics';
import { sleep } from '../../loop/schedule';
import { PushError } from '../push-error';
import type { Batch, HttpSinkTarget, Sink } from '../sink';
import { retryable, retryDelayMs } from './backoff';
import { RemoteWritePoster } from './post';
import type { QueuedRequest, RequestQueue } from './queue';
import { BatchEncoder } from './batch-encoder';
import { snappyCompress } from './snappy';

/** `timeoutMs`: how long one send() may take, retries and back-off included. */
export interface RemoteWriteSinkOptions extends HttpSinkTarget {
  headers: Readonly<Record<string, string>>;
  queue: RequestQueue;
  metrics: RemoteWriteMetrics;
  logger: Logger;
  /** false for `once`: one attempt, no back-off wait. */
  retry: boolean;
}

/**
 * Prometheus remote write 1.0. Each cycle becomes one request, queued first
 * (memory, or --buffer-dir), then the queue is sent oldest first: a series'
 * new sample never overtakes its buffered ones, which receivers would reject
 * as out of order. 5xx, 429 and network errors leave the request at the head
 * and wait a back-off (or Retry-After); any other 4xx drops it, logged and
 * counted. A full queue drops its oldest requests, never the newest.
 */
export class RemoteWriteSink implements Sink {
  private readonly poster: RemoteWritePoster;
  private readonly encoder: BatchEncoder;
  private attempt = 0;
  /** No request before this (performance.now() ms): the back-off in force. */
  private notBefore = 0;

  constructor(private readonly opts: RemoteWriteSinkOptions) {
    this.poster = new RemoteWritePoster(opts.url, opts.auth, opts.tls, opts.headers);
    this.encoder = new BatchEncoder(opts.job, opts.instance);
    this.updateGauges();
  }

  get target(): string {
    return this.opts.url.toString();
  }

  async send(batch: Batch, signal?: AbortSignal): Promise<void> {
    const { queue, metrics } = this.opts;
    const request = this.encoder.encode(batch);
    const body = snappyCompress(request.body);
    const evicted = queue.push({ timestampMs: batch.timestampMs, samples: request.samples, body });
    if (evicted.length > 0) {
      const samples = evicted.reduce((n, r) => n + r.samples, 0);
      metrics.samplesDropped.inc({ reason: 'buffer_full' }, samples);
      this.opts.logger.warn('remote-write buffer full: dropped the oldest samples', { requests: evicted.length, samples, bytes: queue.bytes });
    }
    try {
      await this.drain(performance.now() + this.opts.timeoutMs, signal);
    } finally {
      this.updateGauges();
    }
  }

  /** Sends the queue oldest first until it is empty; throws PushError when the newest request is still waiting or was rejected. */
  private async drain(deadline: number, signal?: AbortSignal): Promise<void> {
    const { queue, metrics, logger } = this.opts;
    let rejected: PushError | undefined;
    for (;;) {
      const req = queue.peek();
      if (req === undefined) break;
      const wait = this.notBefore - performance.now();
      if (wait > 0) {
        if (!this.opts.retry || performance.now() + wait >= deadline || signal?.aborted) throw this.waiting(req, 'backoff', `waiting ${Math.round(wait)}ms to retry`);
        await sleep(wait, signal ?? new AbortController().signal);
        if (signal?.aborted) throw new PushError('aborted at shutdown', 'aborted');
      }
      if (performance.now() >= deadline) throw this.waiting(req, 'timeout', 'out of time before the queue was sent');
      // Each request gets the whole timeout: one cut short by the cycle's deadline after the
      // receiver took it would be sent twice. A new one only starts before the deadline.
      const answer = await this.poster.post(req.body, this.opts.timeoutMs, signal).catch((err: unknown) => err as PushError);
      if (answer instanceof PushError) {
        if (answer.kind === 'aborted') throw answer;
        this.backOff(undefined);
        throw this.waiting(req, answer.kind, answer.message);
      }
      if (answer.status >= 200 && answer.status < 300) {
        queue.shift();
        metrics.samplesSent.inc(req.samples);
        this.attempt = 0;
        this.notBefore = 0;
        continue;
      }
      const message = `HTTP ${answer.status}: ${answer.body || '(empty body)'}`;
      if (retryable(answer.status)) {
        this.backOff(answer.retryAfterMs);
        throw this.waiting(req, `http_${answer.status}`, message);
      }
      queue.shift();
      metrics.samplesDropped.inc({ reason: 'rejected' }, req.samples);
      logger.warn(`remote write rejected a request, dropped: ${message}`, { status: answer.status, samples: req.samples, url: this.target });
      rejected = new PushError(`rejected, ${req.samples} samples dropped: ${message}`, `http_${answer.status}`);
      this.attempt = 0;
      this.notBefore = 0;
    }
    // Everything older went; the newest (this cycle's) was the last one sent, so a rejection there is this cycle's failure.
    if (rejected !== undefined && queue.length === 0) throw rejected;
  }

  private backOff(retryAfterMs: number | undefined): void {
    this.attempt++;
    this.opts.metrics.sendRetries.inc();
    this.notBefore = performance.now() + retryDelayMs(this.attempt, retryAfterMs);
  }

  private waiting(req: QueuedRequest, kind: string, message: string): PushError {
    return new PushError(`${message} (${this.opts.queue.length} requests buffered, oldest from ${new Date(req.timestampMs).toISOString()})`, kind);
  }

  private updateGauges(): void {
    const { queue, metrics } = this.opts;
    metrics.bufferBytes.set(queue.bytes);
    const oldest = queue.oldestTimestampMs();
    metrics.bufferOldestAge.set(oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000));
  }

  close(): void {
    this.poster.close();
    this.opts.queue.close();
  }
}
