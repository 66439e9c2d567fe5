import type { Family } from '../metrics/families';

/** Part of a source could not be read: what was read is still pushed, and the collector reports 0. */
export interface Incomplete {
  /** Short stable token (a sample-error reason): a new one is logged again. */
  reason: string;
  message: string;
}

/**
 * One source of metrics (docs/collectors.md). A collector turns its
 * source's records into its own metric families and does no network I/O. The
 * cycle runs every enabled collector on its own: one that rejects costs only
 * its own families that cycle.
 */
export interface Collector {
  readonly name: string;
  /** Its families, in exposition order; rendered only in a cycle where `collect` resolved. */
  readonly families: readonly Family[];
  /**
   * Reads the source and writes the families. Resolves with what was left out
   * (undefined when nothing was), rejects when the source failed. `signal`
   * aborts a read in flight (a spawned ps/top is killed).
   */
  collect(signal: AbortSignal): Promise<Incomplete | undefined>;
  /** Releases what it keeps open between cycles. */
  close(): void;
}
