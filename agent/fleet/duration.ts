import { parseDuration } from '../config/duration';
import { UsageError } from '../errors';

/** A duration flag of the fleet commands, in the agent's syntax (`500ms`, `5s`, `1m`); UsageError naming the flag. */
export function parseDurationMs(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`${flag}: "${text}" is not a duration (examples: 500ms, 5s, 1m)`);
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
