import type { Logger } from '../../log';
import type { SinkMetrics } from '../../metrics/sink-metrics';
import type { Delivery, QueuedBody } from '../buffer/buffered-delivery';
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
  private readonly connection: CarbonConnection<QueuedBody>;
  private readonly paths: GraphitePaths;

  constructor(private readonly opts: GraphiteSinkOptions) {
    super({ ...opts, sink: 'graphite' });
    this.connection = new CarbonConnection<QueuedBody>(opts.host, opts.port, (lost) => {
      // Written to a connection carbon then dropped: it may have died before reading them. Graphite
      // takes a point twice without harm (the same second is overwritten), so they go again.
      opts.logger.info(`graphite: connection lost, sending the last ${lost.length} writes again`, { sink: 'graphite' });
      for (const req of lost) this.requeue(req);
    });
    this.paths = new GraphitePaths(opts.prefix, opts.instance);
  }

  get target(): string {
    return this.connection.target;
  }

  protected encode(batch: Batch): { samples: number; body: Buffer } {
    const { text, samples } = renderPlaintext(batch.families, this.paths, Math.floor(batch.timestampMs / 1000));
    return { samples, body: Buffer.from(text, 'latin1') };
  }

  protected async deliver(req: QueuedBody, signal?: AbortSignal): Promise<Delivery> {
    await this.connection.write(req.body, req, this.opts.timeoutMs, signal);
    return { outcome: 'sent' };
  }

  override close(): void {
    this.connection.close();
    super.close();
  }
}
