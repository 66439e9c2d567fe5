import type { ProcessSample } from '../../platforms/types';
import { groupKey } from './group-key';

/** How long (in cycles) an empty group's CPU total is kept, and how many groups at most. */
const RETAIN_CYCLES = 1000;
const MAX_RETAINED_GROUPS = 10_000;

export interface GroupRow {
  processes: number;
  rssBytes: number;
  /** Monotonic CPU seconds of the group: it keeps the CPU of processes that have exited. */
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  cpuTotalSeconds: number;
}

interface CpuTotals {
  user: number;
  system: number;
  total: number;
  cycle: number;
}

interface Seen extends CpuTotals {
  start: number;
}

/**
 * Folds processes into groups (see groupKey) and keeps group CPU counters
 * monotonic: a sum over live processes would drop whenever one exits, which
 * Prometheus would read as a counter reset. Each cycle adds, per process, the
 * CPU used since it was last seen; a process new since the last cycle adds all
 * of its CPU. A process is keyed by (pid, start time), so a reused pid counts
 * as a new process. State lives in the instance.
 */
export class GroupAccumulator {
  private readonly seen = new Map<number, Seen>();
  /** Group CPU totals, kept a while after a group empties so a group that comes back continues, not restarts. */
  private readonly cpu = new Map<string, CpuTotals>();
  private cycle = 0;
  /**
   * CPU seconds each process of the last fold used since the cycle before,
   * index for index with the processes folded; -1 where that is unknown (the
   * first cycle). A process new since the last cycle started since then, so
   * all its CPU counts. Reused between cycles: read it before the next fold.
   */
  readonly cpuDelta: number[] = [];

  fold(processes: readonly ProcessSample[], keyOf: (p: ProcessSample) => string = groupKey): Map<string, GroupRow> {
    const cycle = ++this.cycle;
    const groups = new Map<string, GroupRow>();
    const delta = this.cpuDelta;
    delta.length = processes.length;
    for (let i = 0; i < processes.length; i++) {
      const p = processes[i];
      const key = keyOf(p);
      let g = groups.get(key);
      if (!g) {
        const total = this.cpu.get(key);
        g = {
          processes: 0,
          rssBytes: 0,
          cpuUserSeconds: total?.user ?? 0,
          cpuSystemSeconds: total?.system ?? 0,
          cpuTotalSeconds: total?.total ?? 0,
        };
        groups.set(key, g);
      }
      g.processes++;
      g.rssBytes += p.rssBytes ?? 0;

      const user = p.cpuUserSeconds ?? 0;
      const system = p.cpuSystemSeconds ?? 0;
      const sum = p.cpuTotalSeconds ?? 0;
      const start = p.startTimeSeconds ?? -1;
      const prev = this.seen.get(p.pid);
      if (prev && prev.start === start) {
        delta[i] = Math.max(0, user + system + sum - prev.user - prev.system - prev.total);
        // Counters of one process never go back; clamp a sampler's rounding.
        g.cpuUserSeconds += Math.max(0, user - prev.user);
        g.cpuSystemSeconds += Math.max(0, system - prev.system);
        g.cpuTotalSeconds += Math.max(0, sum - prev.total);
        prev.user = user;
        prev.system = system;
        prev.total = sum;
        prev.cycle = cycle;
      } else {
        // First cycle: start every group at the CPU of its live processes.
        // Later: a new process has used all its CPU since it started.
        delta[i] = cycle === 1 ? -1 : user + system + sum;
        g.cpuUserSeconds += user;
        g.cpuSystemSeconds += system;
        g.cpuTotalSeconds += sum;
        if (prev) {
          prev.start = start;
          prev.user = user;
          prev.system = system;
          prev.total = sum;
          prev.cycle = cycle;
        } else {
          this.seen.set(p.pid, { start, user, system, total: sum, cycle });
        }
      }
    }
    // forEach, not for-of over entries: no [key, value] pair per process per cycle.
    this.seen.forEach((s, pid) => {
      if (s.cycle !== cycle) this.seen.delete(pid);
    });
    for (const [name, g] of groups) {
      const total = this.cpu.get(name);
      if (total) {
        total.user = g.cpuUserSeconds;
        total.system = g.cpuSystemSeconds;
        total.total = g.cpuTotalSeconds;
        total.cycle = cycle;
      } else {
        this.cpu.set(name, { user: g.cpuUserSeconds, system: g.cpuSystemSeconds, total: g.cpuTotalSeconds, cycle });
      }
    }
    // A group that empties (short-lived commands come and go) keeps its total for
    // a while; bounded so a stream of one-off names cannot grow memory.
    if (cycle % RETAIN_CYCLES === 0) {
      for (const [name, t] of this.cpu) if (cycle - t.cycle > RETAIN_CYCLES) this.cpu.delete(name);
    }
    // Over the cap, drop the empty groups seen longest ago (Map order is insertion order).
    for (const [name, t] of this.cpu) {
      if (this.cpu.size <= MAX_RETAINED_GROUPS) break;
      if (t.cycle !== cycle) this.cpu.delete(name);
    }
    return groups;
  }
}
