import * as v8 from 'v8';

/**
 * How much V8 lets the old generation grow past what the last full collection
 * kept, in per cent. V8's own factor is up to 4x on a host with a large heap
 * limit: the daemon's ~14 MB live heap then climbs to ~35 MB before the next
 * full collection, a 20 MB sawtooth in RSS. With 10 the limit is the live
 * size plus V8's minimum step (8 MB); the full collections that come more
 * often cost no measurable CPU (see docs/benchmark.md).
 */
export const HEAP_GROWING_PERCENT = 10;

/**
 * The V8 flag the daemon sets on itself, or undefined when node was started
 * with its own --heap-growing-percent (the operator's choice wins). Set at run
 * time rather than by the launcher: node refuses the flag in NODE_OPTIONS, and
 * the packaged executable takes no node flags.
 */
export function heapGrowthFlag(execArgv: readonly string[]): string | undefined {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return undefined;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

/** Applies heapGrowthFlag to this process; V8 reads the flag at every full collection. */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  const flag = heapGrowthFlag(execArgv);
  if (flag !== undefined) v8.setFlagsFromString(flag);
}
