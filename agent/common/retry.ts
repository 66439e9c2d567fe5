import { retryDelayMs } from './backoff';

/**
 * The back-off in force: how many attempts failed in a row and when the next
 * may start (performance.now() ms). Kept by the caller between loops, so a
 * buffered sink's outage spans its cycles.
 */
export class Backoff {
  private attempt = 0;
  private notBefore = 0;

  /** `now`: the clock the back-off is measured on (a test may bring its own). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** How long until the next attempt may start; 0 or less: now. */
  waitMs(): number {
    return this.notBefore - this.now();
  }

  /** One more failure: 500 ms doubling to 30 s (with jitter), or the backend's Retry-After. */
  failed(retryAfterMs?: number): void {
    this.notBefore = this.now() + retryDelayMs(++this.attempt, retryAfterMs);
  }

  reset(): void {
    this.attempt = 0;
    this.notBefore = 0;
  }
}

/** What one attempt at the oldest item came to. */
export type Attempt =
  /** It went: the next item, the back-off reset. */
  | { outcome: 'done' }
  /** It is gone without a delivery (refused for good, vanished): the next item, the back-off as it was. */
  | { outcome: 'skipped' }
  /** It stays first and is tried again after the back-off (or Retry-After). */
  | { outcome: 'retry'; retryAfterMs?: number }
  /** Stop now (shutdown). */
  | { outcome: 'end' };

/** A queue delivered oldest first, as retryInOrder drives it. Any hook may throw: the loop ends with that error. */
export interface InOrderQueue<T> {
  /** The oldest item, or undefined when there is none (or the loop should stop). */
  head(): T | undefined;
  /** Nothing to send: resolves true once it is worth looking again, false to end the loop. */
  idle(): Promise<boolean>;
  /** A back-off of `ms` is in force before `item`: resolves true once it is waited out, false to end the loop. */
  wait(item: T, ms: number): Promise<boolean>;
  attempt(item: T): Promise<Attempt>;
  /** After a failed attempt has grown the back-off: true to go on (wait it out and try again), false to end. */
  retrying?(item: T): boolean;
}

/**
 * The one retry-with-back-off loop (the spool's deliverer, the buffered
 * sinks): the oldest item first, and never the next before it went, so order
 * is kept; a failure keeps it first and waits the back-off. Each caller says
 * through its hooks when to stop: at shutdown, in once mode, at a deadline.
 */
export async function retryInOrder<T>(queue: InOrderQueue<T>, backoff: Backoff): Promise<void> {
  for (;;) {
    const item = queue.head();
    if (item === undefined) {
      if (await queue.idle()) continue;
      return;
    }
    const wait = backoff.waitMs();
    if (wait > 0) {
      if (await queue.wait(item, wait)) continue;
      return;
    }
    const step = await queue.attempt(item);
    if (step.outcome === 'end') return;
    if (step.outcome === 'done') backoff.reset();
    else if (step.outcome === 'retry') {
      backoff.failed(step.retryAfterMs);
      if (queue.retrying?.(item) === false) return;
    }
  }
}
