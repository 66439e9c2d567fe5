import { createHash } from 'crypto';

/**
 * A fixed per-host offset in [0, interval): hosts started together still push
 * spread over the interval, and a restarted host keeps its slot.
 */
export function splayMs(instance: string, intervalMs: number): number {
  const h = createHash('sha256').update(instance).digest();
  return h.readUInt32BE(0) % Math.max(1, intervalMs);
}

/** The next tick after `now` on the grid start + k*interval: a slow cycle skips ticks instead of bunching. */
export function nextTick(start: number, intervalMs: number, now: number): number {
  if (now < start) return start;
  return start + (Math.floor((now - start) / intervalMs) + 1) * intervalMs;
}
