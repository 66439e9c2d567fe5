import { UsageError } from '../errors';

/**
 * Durations as users type them on the fleet command line: `500ms`, `5s`, `1m`,
 * `1h`, or a bare number of seconds. Pure, so it is unit-tested.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDurationMs(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: "${text}" is not a duration (examples: 500ms, 5s, 1m)`);
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's'];
  if (!(ms > 0)) throw new UsageError(`${flag}: "${text}" must be greater than zero`);
  return ms;
}

/** A PromQL range-selector duration (`30s`, `1m`, `2h`), checked before it goes into a query. */
export function promRangeDuration(text: string, flag: string): string {
  const t = text.trim();
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(t) || /^0+(ms|s|m|h|d|w|y)$/.test(t)) {
    throw new UsageError(`${flag}: "${text}" is not a PromQL duration (examples: 30s, 1m, 5m)`);
  }
  return t;
}
