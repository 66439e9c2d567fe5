import { UsageError } from '../errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * "500ms", "1s", "1.5s", "15s", "1m", "1h", "7d" -> milliseconds. A bare number is
 * rejected: an interval of "15" is ambiguous (15 s? 15 ms?).
 * Returns undefined for anything else; the caller names the field in its error.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNITS[m[2]];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A duration flag's value in ms, or a UsageError naming the flag. */
export function durationFlag(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--${name} "${text}" is not a duration (examples: 500ms, 1s, 15s, 1m)`);
  }
  return ms;
}
