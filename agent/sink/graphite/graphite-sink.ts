import type { Logger } from '../../log';
import type { SinkMetrics } from '../../metrics/sink-metrics';
import type { Delivery } from '../buffer/buffered-delivery';
import { BufferedSink } from '../buffer/buffered-sink';
import type { RequestQueue } from '../buffer/queue';
import type { Batch } from '../sink';
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
export class GraphiteSink extends BufferedSink {
  readonly name = 'graphite';
  private readonly connection: CarbonConnection;
  private readonly paths: GraphitePaths;

  constructor(private readonly opts: GraphiteSinkOptions) {
    super({ ...opts, sink: 'graphite' });
    this.connection = new CarbonConnection(opts.host, opts.port);
    this.paths = new GraphitePaths(opts.prefix, opts.instance);
  }

  get target(): string {
    return this.connection.target;
  }

  protected encode(batch: Batch): { samples: number; body: Buffer } {
    const { text, samples } = renderPlaintext(batch.families, this.paths, Math.floor(batch.timestampMs / 1000));
    return { samples, body: Buffer.from(text, 'latin1') };
  }

  protected async deliver(body: Buffer, signal?: AbortSignal): Promise<Delivery> {
    await this.connection.write(body, this.opts.timeoutMs, signal);
    return { outcome: 'sent' };
  }

  override close(): void {
    this.connection.close();
    super.close();
  }
}
