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

/** A request skipped because its stored copy could not be read or failed its check. */
export type CorruptRequest = QueuedRequest & { reason: string };

export interface NewRequest {
  timestampMs: number;
  samples: number;
  body: Buffer;
}

/**
 * Unsent requests, oldest first, bounded in bytes: a push that would pass the
 * bound first drops the oldest (never the newest, never the one in flight)
 * and returns them.
 */
export interface RequestQueue {
  /** Adds a request; returns the ones dropped to make room. */
  push(req: NewRequest): QueuedRequest[];
  /** The oldest, with its body. */
  peek(): (QueuedRequest & { body: Buffer }) | undefined;
  /** When the oldest waiting request sampled, Unix ms. */
  oldestTimestampMs(): number | undefined;
  /**
   * Marks request `seq` as in flight (undefined: none): no push evicts it, so
   * a 2xx is counted once, as sent. The bound may be passed by that one
   * request while it is in flight.
   */
  pin(seq: number | undefined): void;
  /** Removes request `seq` (delivered or given up) and unpins it; false when it is no longer queued. */
  remove(seq: number): boolean;
  /** The requests peek() skipped since the last call (unreadable or corrupt on disk), to be counted dropped. */
  takeCorrupt(): CorruptRequest[];
  readonly bytes: number;
  readonly length: number;
  close(): void;
}

/**
 * Which requests to evict so `incoming` more bytes fit in `max`: `count` of
 * them from index `from` (oldest first). The incoming one is the newest and
 * always stays; a pinned head (in flight) is skipped, never dropped.
 */
export function evictions(
  items: readonly QueuedRequest[],
  bytes: number,
  incoming: number,
  max: number,
  pinned: number | undefined,
): { from: number; count: number } {
  const from = items.length > 0 && items[0].seq === pinned ? 1 : 0;
  let n = from;
  while (n < items.length && bytes + incoming > max) bytes -= items[n++].size;
  return { from, count: n - from };
}

/** Index of request `seq` in `items` (sorted by seq), or -1. */
export function indexOfSeq(items: readonly QueuedRequest[], seq: number): number {
  // The head nearly always: a delivered request is the oldest unless the queue changed under it.
  if (items[0]?.seq === seq) return 0;
  return items.findIndex((r) => r.seq === seq);
}

/**
 * Without --buffer-dir: the same bound, in memory (lost on restart, kept
 * across a reload). `maxBytes` may change between pushes: a smaller bound
 * takes effect at the next push, dropping the oldest as usual.
 */
export class MemoryQueue implements RequestQueue {
  private readonly items: Array<QueuedRequest & { body: Buffer }> = [];
  private seq = 0;
  private pinned: number | undefined;
  bytes = 0;

  constructor(public maxBytes: number) {}

  get length(): number {
    return this.items.length;
  }

  push(req: NewRequest): QueuedRequest[] {
    const { from, count } = evictions(this.items, this.bytes, req.body.length, this.maxBytes, this.pinned);
    const dropped = this.items.splice(from, count);
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

  pin(seq: number | undefined): void {
    this.pinned = seq;
  }

  remove(seq: number): boolean {
    if (this.pinned === seq) this.pinned = undefined;
    const i = indexOfSeq(this.items, seq);
    if (i < 0) return false;
    this.bytes -= this.items.splice(i, 1)[0].size;
    return true;
  }

  takeCorrupt(): CorruptRequest[] {
    return []; // memory does not tear
  }

  close(): void {
    // Nothing held open.
  }
}
