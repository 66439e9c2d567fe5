import type { Logger } from '../../log';
import type { SinkMetrics } from '../../metrics/sink-metrics';
import type { Batch, HttpSinkTarget, Sink } from '../sink';
import { retryable } from '../buffer/backoff';
import { BufferedDelivery, type Delivery } from '../buffer/buffered-delivery';
import type { RequestQueue } from '../buffer/queue';
import { RemoteWritePoster } from './post';
import { BatchEncoder } from './batch-encoder';
import { snappyCompress } from './snappy';

/** `timeoutMs`: how long one send() may take, retries and back-off included. */
export interface RemoteWriteSinkOptions extends HttpSinkTarget {
  headers: Readonly<Record<string, string>>;
  queue: RequestQueue;
  metrics: SinkMetrics;
  logger: Logger;
  /** false for `once`: one attempt, no back-off wait. */
  retry: boolean;
}

/**
 * Prometheus remote write 1.0. Each cycle becomes one request, queued and
 * sent oldest first by the shared BufferedDelivery. 5xx, 429 and network
 * errors leave the request at the head and wait a back-off (or Retry-After);
 * any other 4xx drops it, logged and counted.
 */
export class RemoteWriteSink implements Sink {
  readonly name = 'remote-write';
  private readonly poster: RemoteWritePoster;
  private readonly encoder: BatchEncoder;
  private readonly delivery: BufferedDelivery;
  readonly buffered = {
    enqueue: (batch: Batch): void => {
      const request = this.encoder.encode(batch);
      this.delivery.enqueue(batch.timestampMs, request.samples, snappyCompress(request.body));
    },
    flush: (signal?: AbortSignal): Promise<void> => this.delivery.drain((body, s) => this.post(body, s), signal),
  };

  constructor(private readonly opts: RemoteWriteSinkOptions) {
    this.poster = new RemoteWritePoster(opts.url, opts.auth, opts.tls, opts.headers);
    this.encoder = new BatchEncoder(opts.job, opts.instance);
    this.delivery = new BufferedDelivery({ sink: this.name, queue: opts.queue, metrics: opts.metrics, logger: opts.logger, timeoutMs: opts.timeoutMs, retry: opts.retry });
  }

  get target(): string {
    return this.opts.url.toString();
  }

  async send(batch: Batch, signal?: AbortSignal): Promise<void> {
    this.buffered.enqueue(batch);
    await this.buffered.flush(signal);
  }

  private async post(body: Buffer, signal?: AbortSignal): Promise<Delivery> {
    const answer = await this.poster.post(body, this.opts.timeoutMs, signal);
    if (answer.status >= 200 && answer.status < 300) return { outcome: 'sent' };
    const message = `HTTP ${answer.status}: ${answer.body || '(empty body)'}`;
    const kind = `http_${answer.status}`;
    return retryable(answer.status) ? { outcome: 'retry', kind, message, retryAfterMs: answer.retryAfterMs } : { outcome: 'rejected', kind, message };
  }

  close(): void {
    this.poster.close();
    this.delivery.close();
  }
}
