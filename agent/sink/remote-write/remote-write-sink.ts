import type { Logger } from '../../log';
import type { SinkMetrics } from '../../metrics/sink-metrics';
import type { Batch, HttpSinkTarget } from '../sink';
import { retryable } from '../../common/backoff';
import type { Delivery, QueuedBody } from '../buffer/buffered-delivery';
import { BufferedSink } from '../buffer/buffered-sink';
import type { RequestQueue } from '../buffer/queue';
import { RemoteWritePoster } from './post';
import { BatchEncoder } from './batch-encoder';
import { DepartedSeries } from './staleness';
import { snappyCompress } from './snappy';
import { redactUrl } from '../../config/redact-url';

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
 * Prometheus remote write 1.0. Each cycle becomes one request (with a
 * staleness marker for every series gone since the last cycle), queued and
 * sent oldest first by the shared BufferedSink. 5xx, 429 and network
 * errors leave the request at the head and wait a back-off (or Retry-After);
 * any other 4xx drops it, logged and counted.
 */
export class RemoteWriteSink extends BufferedSink {
  readonly name = 'remote-write';
  private readonly poster: RemoteWritePoster;
  private readonly encoder: BatchEncoder;
  private readonly departed = new DepartedSeries();

  constructor(private readonly opts: RemoteWriteSinkOptions) {
    super({ ...opts, sink: 'remote-write' });
    this.poster = new RemoteWritePoster(opts.url, opts.auth, opts.tls, opts.headers);
    this.encoder = new BatchEncoder(opts.job, opts.instance);
  }

  /** Printed (start line, failure logs): without a password the URL's userinfo may hold. */
  get target(): string {
    return redactUrl(this.opts.url);
  }

  /** The cycle, plus a staleness marker for each series of the last cycle that is gone (a pid out of the top N, an emptied group). */
  protected encode(batch: Batch): { samples: number; body: Buffer } {
    const stale = this.departed.markers(batch);
    const request = this.encoder.encode(
      stale.length === 0 ? batch : { families: [...batch.families, ...stale], timestampMs: batch.timestampMs },
    );
    return { samples: request.samples, body: snappyCompress(request.body) };
  }

  protected async deliver(req: QueuedBody, signal?: AbortSignal): Promise<Delivery> {
    const answer = await this.poster.post(req.body, this.opts.timeoutMs, signal);
    if (answer.status >= 200 && answer.status < 300) return { outcome: 'sent' };
    const message = `HTTP ${answer.status}: ${answer.body || '(empty body)'}`;
    const kind = `http_${answer.status}`;
    return retryable(answer.status)
      ? { outcome: 'retry', kind, message, retryAfterMs: answer.retryAfterMs }
      : { outcome: 'rejected', kind, message };
  }

  override close(): void {
    this.poster.close();
    super.close();
  }
}
