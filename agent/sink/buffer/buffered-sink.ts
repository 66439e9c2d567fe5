import type { Batch, Sink } from '../sink';
import { BufferedDelivery, type BufferedDeliveryOptions, type Delivery, type QueuedBody } from './buffered-delivery';

/**
 * A sink whose samples carry timestamps (remote write, graphite): a cycle is
 * encoded and queued, then the queue is flushed oldest first. Subclasses say
 * how a batch is encoded and how one queued body is delivered.
 */
export abstract class BufferedSink implements Sink {
  abstract readonly name: string;
  abstract readonly target: string;
  readonly buffered = {
    enqueue: (batch: Batch): void => {
      const { samples, body } = this.encode(batch);
      this.delivery.enqueue(batch.timestampMs, samples, body);
    },
    flush: (signal?: AbortSignal): Promise<void> => this.delivery.drain((req, s) => this.deliver(req, s), signal),
  };

  private readonly delivery: BufferedDelivery;

  protected constructor(opts: BufferedDeliveryOptions) {
    this.delivery = new BufferedDelivery(opts);
  }

  async send(batch: Batch, signal?: AbortSignal): Promise<void> {
    this.buffered.enqueue(batch);
    await this.buffered.flush(signal);
  }

  /** One cycle as the bytes the backend takes, and how many samples they hold. */
  protected abstract encode(batch: Batch): { samples: number; body: Buffer };
  /** One attempt at one queued request. */
  protected abstract deliver(req: QueuedBody, signal?: AbortSignal): Promise<Delivery>;

  /** Queues a request again (graphite: lines the kernel took but a dying carbon may not have read). */
  protected requeue(req: QueuedBody): void {
    this.delivery.enqueue(req.timestampMs, req.samples, req.body);
  }

  close(): void {
    this.delivery.close();
  }
}
