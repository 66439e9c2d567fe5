import type { Spool } from '../spool/spool';
import type { Collector, Incomplete } from './collector';

/**
 * The spool: each cycle one look at --spool-dir (which files are complete,
 * valid, failed) and its gauges. Delivery is not here: it runs beside the
 * cycle (agent/spool/deliverer.ts), so a slow backend never delays a cycle.
 */
export class SpoolCollector implements Collector {
  readonly name = 'spool';
  readonly families;

  constructor(readonly spool: Spool) {
    this.families = spool.metrics.families;
  }

  async collect(): Promise<Incomplete | undefined> {
    this.spool.look();
    return undefined;
  }

  close(): void {
    this.spool.close();
  }
}
