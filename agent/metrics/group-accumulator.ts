import type { ProcessSample } from '../../platforms/types';
import { groupKey } from './group-key';

export interface GroupRow {
  processes: number;
  rssBytes: number;
  /** Monotonic CPU seconds of the group: it keeps the CPU of processes that have exited. */
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
}

interface Seen {
  start: number;
  user: number;
  system: number;
  cycle: number;
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
  private readonly cpu = new Map<string, { user: number; system: number }>();
  private cycle = 0;

  fold(processes: readonly ProcessSample[]): Map<string, GroupRow> {
    const cycle = ++this.cycle;
    const groups = new Map<string, GroupRow>();
    for (const p of processes) {
      const key = groupKey(p);
      let g = groups.get(key);
      if (!g) {
        const total = this.cpu.get(key);
        g = { processes: 0, rssBytes: 0, cpuUserSeconds: total?.user ?? 0, cpuSystemSeconds: total?.system ?? 0 };
        groups.set(key, g);
      }
      g.processes++;
      g.rssBytes += p.rssBytes ?? 0;

      const user = p.cpuUserSeconds ?? 0;
      const system = p.cpuSystemSeconds ?? 0;
      const start = p.startTimeSeconds ?? -1;
      const prev = this.seen.get(p.pid);
      if (prev && prev.start === start) {
        // Counters of one process never go back; clamp a sampler's rounding.
        g.cpuUserSeconds += Math.max(0, user - prev.user);
        g.cpuSystemSeconds += Math.max(0, system - prev.system);
        prev.user = user;
        prev.system = system;
        prev.cycle = cycle;
      } else {
        // First cycle: start every group at the CPU of its live processes.
        // Later: a new process has used all its CPU since it started.
        g.cpuUserSeconds += user;
        g.cpuSystemSeconds += system;
        if (prev) {
          prev.start = start;
          prev.user = user;
          prev.system = system;
          prev.cycle = cycle;
        } else {
          this.seen.set(p.pid, { start, user, system, cycle });
        }
      }
    }
    for (const [pid, s] of this.seen) if (s.cycle !== cycle) this.seen.delete(pid);
    // Groups with no live process end; their counters restart if the group returns.
    this.cpu.clear();
    for (const [name, g] of groups) this.cpu.set(name, { user: g.cpuUserSeconds, system: g.cpuSystemSeconds });
    return groups;
  }
}
