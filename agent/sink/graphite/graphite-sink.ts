import type { Logger } from '../../log';
import type { SinkMetrics } from '../../metrics/sink-metrics';
import { BufferedDelivery, type Delivery } from '../buffer/buffered-delivery';
import type { RequestQueue } from '../buffer/queue';
import type { Batch, Sink } from '../sink';
import { CarbonConnection } from './carbon-connection';
import { GraphitePaths } from './paths';
import { renderPlaintext } from './plaintext';

export interface GraphiteSinkOptions {
  host: string;
  port: number;
  prefix: readonly string[];
  /** The `<host>` path element (the instance, sanitised). */
  instance: string;
  /** One write (connect included), and one flush of the buffer. */
  timeoutMs: number;
  queue: RequestQueue;
  metrics: SinkMetrics;
  logger: Logger;
  /** false for `once`: one attempt, no back-off wait. */
  retry: boolean;
}

/**
 * Graphite's plaintext protocol over one kept TCP connection. Each cycle is
 * rendered to lines stamped with its sampling second and queued (memory or
 * --buffer-dir/graphite, bounded), then the queue is written oldest first:
 * carbon takes timestamps, so an outage is filled in afterwards.
 */
export class GraphiteSink implements Sink {
  readonly name = 'graphite';
  private readonly connection: CarbonConnection;
  private readonly paths: GraphitePaths;
  private readonly delivery: BufferedDelivery;
  readonly buffered = {
    enqueue: (batch: Batch): void => {
      const { text, samples } = renderPlaintext(batch.families, this.paths, Math.floor(batch.timestampMs / 1000));
      this.delivery.enqueue(batch.timestampMs, samples, Buffer.from(text, 'latin1'));
    },
    flush: (signal?: AbortSignal): Promise<void> => this.delivery.drain((body, s) => this.write(body, s), signal),
  };

  constructor(private readonly opts: GraphiteSinkOptions) {
    this.connection = new CarbonConnection(opts.host, opts.port);
    this.paths = new GraphitePaths(opts.prefix, opts.instance);
    this.delivery = new BufferedDelivery({ sink: this.name, queue: opts.queue, metrics: opts.metrics, logger: opts.logger, timeoutMs: opts.timeoutMs, retry: opts.retry });
  }

  get target(): string {
    return this.connection.target;
  }

  async send(batch: Batch, signal?: AbortSignal): Promise<void> {
    this.buffered.enqueue(batch);
    await this.buffered.flush(signal);
  }

  private async write(body: Buffer, signal?: AbortSignal): Promise<Delivery> {
    await this.connection.write(body, this.opts.timeoutMs, signal);
    return { outcome: 'sent' };
  }

  close(): void {
    this.connection.close();
    this.delivery.close();
  }
}
