import { DiskQueue } from './disk-queue';
import type { CorruptRequest, NewRequest, QueuedRequest, RequestQueue } from './queue';

interface Held {
  queue: DiskQueue;
  users: number;
}

/**
 * The --buffer-dir queues of a running agent, shared between the sinks of
 * the configuration that runs and those a reload builds beside it. A reload
 * builds its sinks before the old ones stop (so a new directory that cannot
 * be used rejects the reload instead of stopping the agent); a directory both
 * use must stay one queue, under one lock, or the two would send and delete
 * each other's files. Each sink gets a lease; the directory is released when
 * the last lease closes.
 */
export class DiskQueues {
  private readonly held = new Map<string, Held>();

  /** A lease on the queue of `dir` (opened, locked and read on first use). Throws UsageError as DiskQueue does. */
  open(dir: string, maxBytes: number, suffix: string): RequestQueue {
    const key = `${suffix}\0${dir}`;
    let h = this.held.get(key);
    if (h === undefined) {
      h = { queue: new DiskQueue(dir, maxBytes, suffix), users: 0 };
      this.held.set(key, h);
    }
    h.users++;
    return new Lease(h, () => {
      if (--h.users > 0) return;
      this.held.delete(key);
      h.queue.close();
    });
  }
}

/** One sink's use of a shared DiskQueue: everything goes to the queue, close() only gives the lease back. */
class Lease implements RequestQueue {
  private closed = false;

  constructor(
    private readonly h: Held,
    private readonly release: () => void,
  ) {}

  push(req: NewRequest): QueuedRequest[] {
    return this.h.queue.push(req);
  }
  peek(): (QueuedRequest & { body: Buffer }) | undefined {
    return this.h.queue.peek();
  }
  oldestTimestampMs(): number | undefined {
    return this.h.queue.oldestTimestampMs();
  }
  pin(seq: number | undefined): void {
    this.h.queue.pin(seq);
  }
  remove(seq: number): boolean {
    return this.h.queue.remove(seq);
  }
  takeCorrupt(): CorruptRequest[] {
    return this.h.queue.takeCorrupt();
  }
  get bytes(): number {
    return this.h.queue.bytes;
  }
  get length(): number {
    return this.h.queue.length;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }
}
