import type { GroupRow } from './group-accumulator';

/** The group that takes every group past the budget (and a group that is already called so). */
export const OTHER_GROUP = 'other';

/** How many groups' last CPU totals are kept at most (a stream of one-off names cannot grow memory). */
const MAX_REMEMBERED = 10_000;

interface Cpu {
  user: number;
  system: number;
  total: number;
}

/**
 * Bounds the group series of a host: the `max` - 1 largest groups by RSS keep
 * their own series, the rest fold into `other`, so sums over groups still
 * equal the host's totals. `other`'s CPU counter stays monotonic although
 * its members change from cycle to cycle: it adds, per folded group, the CPU
 * that group used since the last cycle (all of it for a group not seen
 * before). State lives in the instance; `folded` is the count of the last apply.
 */
export class GroupBudget {
  private readonly last = new Map<string, Cpu>();
  private readonly other: Cpu = { user: 0, system: 0, total: 0 };
  folded = 0;

  constructor(private readonly max: number) {}

  apply(groups: Map<string, GroupRow>): Map<string, GroupRow> {
    const over = groups.size > this.max;
    let keep: Set<string> | undefined;
    if (over) {
      const names = [...groups.keys()].filter((n) => n !== OTHER_GROUP);
      names.sort((a, b) => groups.get(b)!.rssBytes - groups.get(a)!.rssBytes || (a < b ? -1 : 1));
      keep = new Set(names.slice(0, this.max - 1));
    }
    const out = new Map<string, GroupRow>();
    let other: GroupRow | undefined;
    this.folded = 0;
    for (const [name, g] of groups) {
      const prev = this.last.get(name);
      if (prev === undefined) {
        if (this.last.size >= MAX_REMEMBERED) this.last.delete(this.last.keys().next().value as string);
        this.last.set(name, { user: g.cpuUserSeconds, system: g.cpuSystemSeconds, total: g.cpuTotalSeconds });
      }
      const kept = name !== OTHER_GROUP && (keep === undefined || keep.has(name));
      if (!kept) {
        if (name !== OTHER_GROUP) this.folded++;
        other ??= { processes: 0, rssBytes: 0, cpuUserSeconds: 0, cpuSystemSeconds: 0, cpuTotalSeconds: 0 };
        other.processes += g.processes;
        other.rssBytes += g.rssBytes;
        this.other.user += Math.max(0, g.cpuUserSeconds - (prev?.user ?? 0));
        this.other.system += Math.max(0, g.cpuSystemSeconds - (prev?.system ?? 0));
        this.other.total += Math.max(0, g.cpuTotalSeconds - (prev?.total ?? 0));
      } else {
        out.set(name, g);
      }
      if (prev !== undefined) {
        prev.user = g.cpuUserSeconds;
        prev.system = g.cpuSystemSeconds;
        prev.total = g.cpuTotalSeconds;
      }
    }
    if (other !== undefined) {
      other.cpuUserSeconds = this.other.user;
      other.cpuSystemSeconds = this.other.system;
      other.cpuTotalSeconds = this.other.total;
      out.set(OTHER_GROUP, other);
    }
    return out;
  }
}
