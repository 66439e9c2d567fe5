import type { DetailKind, ProcessDetail, ProcessInspector, ProcessSample } from '../../platforms/types';

interface Pss {
  start: number;
  pssBytes?: number;
  ussBytes?: number;
  /** Cycle of the last read. */
  read: number;
  /** Cycle it was last exported. */
  seen: number;
}

/**
 * Reads --process-detail for the exported pids of a cycle. io and fds are
 * cheap (a small file and a directory listing) and read every cycle.
 * smaps_rollup is not: the kernel walks the page tables of the whole process
 * (measured ~1.3 ms of CPU for a 200 MB Node process, 32 ms for the 25
 * largest processes of the reference machine, twice what sampling all 1000
 * processes costs). So each cycle reads it for at most `pssPerCycle` exported
 * pids, those without a value first, then the longest unread, and the others
 * keep their last value (keyed by pid and start time, dropped when the pid is
 * no longer exported). A pid not read yet has no PSS/USS series. State lives in the instance.
 */
export class ProcessDetailReader {
  private readonly pss = new Map<number, Pss>();
  private readonly cheap: ReadonlySet<DetailKind>;
  private readonly pssOnly: ReadonlySet<DetailKind> = new Set<DetailKind>(['pss']);
  private cycle = 0;

  constructor(
    private readonly inspector: ProcessInspector,
    readonly kinds: ReadonlySet<DetailKind>,
    private readonly pssPerCycle: number,
  ) {
    this.cheap = new Set([...kinds].filter((k) => k !== 'pss'));
  }

  /** One record per process of `top`, same order. */
  read(top: readonly ProcessSample[]): ProcessDetail[] {
    const cycle = ++this.cycle;
    const out = top.map((p) => (this.cheap.size > 0 ? this.inspector.detail(p.pid, this.cheap) : {}));
    if (!this.kinds.has('pss')) return out;

    const entries = top.map((p) => {
      const start = p.startTimeSeconds ?? -1;
      let e = this.pss.get(p.pid);
      if (e === undefined || e.start !== start) {
        e = { start, read: 0, seen: cycle };
        this.pss.set(p.pid, e);
      }
      e.seen = cycle;
      return e;
    });
    // Never read (read 0) first, then the longest unread; stable, so ties keep top's order (largest RSS first).
    const order = entries.map((_, i) => i).sort((a, b) => entries[a].read - entries[b].read);
    for (const i of order.slice(0, this.pssPerCycle)) {
      const d = this.inspector.detail(top[i].pid, this.pssOnly);
      const e = entries[i];
      e.read = cycle;
      e.pssBytes = d.pssBytes;
      e.ussBytes = d.ussBytes;
    }
    for (let i = 0; i < top.length; i++) {
      const e = entries[i];
      if (e.pssBytes !== undefined) out[i].pssBytes = e.pssBytes;
      if (e.ussBytes !== undefined) out[i].ussBytes = e.ussBytes;
    }
    this.pss.forEach((e, pid) => {
      if (e.seen !== cycle) this.pss.delete(pid);
    });
    return out;
  }
}
