import type { DetailKind, ProcessDetail, ProcessInspector, ProcessSample } from '../../platforms/types';

/** What a slow read left for one process, until its next turn. */
interface Slow {
  start: number;
  pssBytes?: number;
  ussBytes?: number;
  maxFds?: number;
  /** Cycle of the last read (0: never). */
  read: number;
  /** Cycle it was last exported. */
  seen: number;
}

/**
 * Reads --process-detail for the exported pids of a cycle. io and fd/ are
 * cheap (a small file and a directory listing) and read for every exported
 * pid every cycle. smaps_rollup is not: the kernel walks the page tables of
 * the whole process (measured ~1.3 ms of CPU for a 200 MB Node process, 32 ms
 * for the 25 largest processes of the reference machine, twice what sampling
 * all 1000 processes costs). So it is read for at most `slowPerCycle`
 * exported pids per cycle, those never read first, then the longest unread;
 * the others keep their last value, keyed by pid and start time and dropped
 * when the pid is no longer exported. The soft fd limit (limits), which only
 * setrlimit/prlimit change, takes the same turns. A pid not read yet has no
 * PSS/USS or max-fds series. State lives in the instance.
 */
export class ProcessDetailReader {
  private readonly slow = new Map<number, Slow>();
  private cycle = 0;

  constructor(
    private readonly inspector: ProcessInspector,
    readonly kinds: ReadonlySet<DetailKind>,
    private readonly slowPerCycle: number,
  ) {}

  /** One record per process of `top`, same order. */
  read(top: readonly ProcessSample[]): ProcessDetail[] {
    const cycle = ++this.cycle;
    const { inspector, kinds } = this;
    const out = top.map((p) => {
      const d: ProcessDetail = {};
      if (kinds.has('io')) {
        const io = inspector.io(p.pid);
        if (io !== undefined) {
          d.ioReadBytes = io.readBytes;
          d.ioWriteBytes = io.writeBytes;
        }
      }
      if (kinds.has('fds')) d.openFds = inspector.openFds(p.pid);
      return d;
    });
    if (!kinds.has('pss') && !kinds.has('fds')) return out;

    const entries = top.map((p) => {
      const start = p.startTimeSeconds ?? -1;
      let e = this.slow.get(p.pid);
      if (e === undefined || e.start !== start) {
        e = { start, read: 0, seen: cycle };
        this.slow.set(p.pid, e);
      }
      e.seen = cycle;
      return e;
    });
    // Never read (0) first, then the longest unread; a stable sort, so ties keep top's order (largest RSS first).
    const order = entries.map((_, i) => i).sort((a, b) => entries[a].read - entries[b].read);
    for (const i of order.slice(0, this.slowPerCycle)) {
      const e = entries[i];
      e.read = cycle;
      if (kinds.has('pss')) {
        const mem = inspector.memoryDetail(top[i].pid);
        e.pssBytes = mem?.pssBytes;
        e.ussBytes = mem?.ussBytes;
      }
      if (kinds.has('fds')) e.maxFds = inspector.maxFds(top[i].pid);
    }
    for (let i = 0; i < top.length; i++) {
      const e = entries[i];
      if (e.pssBytes !== undefined) out[i].pssBytes = e.pssBytes;
      if (e.ussBytes !== undefined) out[i].ussBytes = e.ussBytes;
      if (e.maxFds !== undefined) out[i].maxFds = e.maxFds;
    }
    this.slow.forEach((e, pid) => {
      if (e.seen !== cycle) this.slow.delete(pid);
    });
    return out;
  }
}
