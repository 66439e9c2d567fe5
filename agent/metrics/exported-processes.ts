import type { ProcessSample } from '../../platforms/types';

/** Why a process has per-pid series this cycle (docs/collectors.md: `rank_by`). */
export type RankBy = 'rss' | 'cpu' | 'hold';

interface Held {
  start: number;
  /** Cycles it stays exported without being selected again. */
  left: number;
}

/**
 * The processes with per-pid series: the union of the top by RSS and the top
 * by CPU, plus those that dropped out of both less than `hold` cycles ago, so
 * a process hovering at the edge of the top does not make its series flap.
 * Keyed by (pid, start time): a reused pid is not held. State lives in the instance.
 */
export class ExportedProcesses {
  private readonly held = new Map<number, Held>();
  /** Why each process of the last `choose` was exported, same order. */
  readonly reasons: RankBy[] = [];

  constructor(private readonly hold: number) {}

  choose(
    processes: readonly ProcessSample[],
    byRss: readonly ProcessSample[],
    byCpu: readonly ProcessSample[],
  ): ProcessSample[] {
    const out: ProcessSample[] = [];
    const reasons = this.reasons;
    reasons.length = 0;
    const chosen = new Set<number>();
    const take = (p: ProcessSample, why: RankBy): void => {
      if (chosen.has(p.pid)) return;
      chosen.add(p.pid);
      out.push(p);
      reasons.push(why);
    };
    for (const p of byRss) take(p, 'rss');
    for (const p of byCpu) take(p, 'cpu');
    if (this.held.size > 0) {
      for (const p of processes) {
        if (chosen.has(p.pid)) continue;
        const h = this.held.get(p.pid);
        if (h !== undefined && h.start === (p.startTimeSeconds ?? -1) && h.left > 0) {
          h.left--;
          take(p, 'hold');
        }
      }
    }
    // Selected ones (again) get the full hold; the rest not taken this cycle are gone or done.
    for (const [pid, h] of this.held) if (!chosen.has(pid) || h.left <= 0) this.held.delete(pid);
    for (let i = 0; i < out.length; i++) {
      if (reasons[i] !== 'hold') this.held.set(out[i].pid, { start: out[i].startTimeSeconds ?? -1, left: this.hold });
    }
    return out;
  }
}
