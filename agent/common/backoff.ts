const BASE_MS = 500;
const MAX_MS = 30_000;
/** A Retry-After beyond this is capped: the buffer keeps the samples meanwhile. */
const MAX_RETRY_AFTER_MS = 300_000;

/**
 * Delay before attempt `n` (1 = the first retry): exponential from 500 ms,
 * capped at 30 s, with jitter in [d/2, d] so a fleet that lost its receiver
 * together does not come back in lock-step. A receiver's Retry-After wins.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  const d = Math.min(MAX_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  return d / 2 + random() * (d / 2);
}

/** 5xx, 429 and no answer at all are worth another try; any other 4xx never will be. */
export function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}
