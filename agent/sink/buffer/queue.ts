/** One cycle's request, compressed, waiting to be sent. */
export interface QueuedRequest {
  /** Monotonic: the order requests are sent in. */
  seq: number;
  /** When its samples were taken, Unix ms. */
  timestampMs: number;
  samples: number;
  /** Compressed bytes. */
  size: number;
}

export interface NewRequest {
  timestampMs: number;
  samples: number;
  body: Buffer;
}

/**
 * Unsent requests, oldest first, bounded in bytes: a push that would pass the
 * bound first drops the oldest (never the newest) and returns them.
 */
export interface RequestQueue {
  /** Adds a request; returns the ones dropped to make room. */
  push(req: NewRequest): QueuedRequest[];
  /** The oldest, with its body. */
  peek(): (QueuedRequest & { body: Buffer }) | undefined;
  /** When the oldest waiting request sampled, Unix ms. */
  oldestTimestampMs(): number | undefined;
  /** Removes the oldest (after it was delivered or given up). */
  shift(): void;
  readonly bytes: number;
  readonly length: number;
  close(): void;
}

/** Evicts from the front of `items` until `incoming` more bytes fit in `max` (the newest always stays). */
export function evictions(items: readonly QueuedRequest[], bytes: number, incoming: number, max: number): number {
  let n = 0;
  while (n < items.length && bytes + incoming > max) bytes -= items[n++].size;
  return n;
}

/**
 * Without --buffer-dir: the same bound, in memory (lost on restart, kept
 * across a reload). `maxBytes` may change between pushes: a smaller bound
 * takes effect at the next push, dropping the oldest as usual.
 */
export class MemoryQueue implements RequestQueue {
  private readonly items: Array<QueuedRequest & { body: Buffer }> = [];
  private seq = 0;
  bytes = 0;

  constructor(public maxBytes: number) {}

  get length(): number {
    return this.items.length;
  }

  push(req: NewRequest): QueuedRequest[] {
    const dropped = this.items.splice(0, evictions(this.items, this.bytes, req.body.length, this.maxBytes));
    for (const d of dropped) this.bytes -= d.size;
    this.items.push({ ...req, size: req.body.length, seq: this.seq++ });
    this.bytes += req.body.length;
    return dropped;
  }

  peek(): (QueuedRequest & { body: Buffer }) | undefined {
    return this.items[0];
  }

  oldestTimestampMs(): number | undefined {
    return this.items[0]?.timestampMs;
  }

  shift(): void {
    const d = this.items.shift();
    if (d) this.bytes -= d.size;
  }

  close(): void {
    // Nothing held open.
  }
}
