import { MEMORY_EVENTS, type MemoryEvents } from '../../platforms/cgroup/parse';

/** The label of events of cgroups that have no series of their own and no kept ancestor. */
export const OTHER_CGROUP = 'other';

/** One cgroup as the ledger sees it in a pass. */
export interface LedgerEntry {
  path: string;
  name: string;
  events: MemoryEvents;
}

/** How many removed paths' last counts are remembered at most. */
const MAX_REMEMBERED = 10_000;

/** The same counts of every event (absent on both or equal). */
function sameEvents(a: MemoryEvents, b: MemoryEvents): boolean {
  return (
    a.low === b.low &&
    a.high === b.high &&
    a.max === b.max &&
    a.oom === b.oom &&
    a.oom_kill === b.oom_kill &&
    a.oom_group_kill === b.oom_group_kill
  );
}

function parentOf(p: string): string | undefined {
  if (p === '/' || p === '') return undefined;
  const cut = p.lastIndexOf('/');
  return cut <= 0 ? '/' : p.slice(0, cut);
}

/**
 * Memory-event counters per cgroup label that never go back and never lose a
 * count. The kernel's counts live in the cgroup: a leaf removed right after
 * its OOM kill (systemd tears a failed unit down) takes them with it. So the
 * ledger adds, each pass, what every cgroup counted since the last pass to
 * its label (or, for a cgroup without series of its own, to its nearest kept
 * ancestor, else `other`); a label that loses its series hands its totals to
 * its nearest kept ancestor the same way. Sums over cgroups stay exact. State
 * lives in the instance.
 */
export class EventLedger {
  /** Each path's counts at the pass that last saw it, and the label they went to. */
  private readonly last = new Map<string, { events: MemoryEvents; pass: number; to: string }>();
  private pass = 0;
  private readonly totals = new Map<string, Map<string, number>>();
  /** The last path a label was seen at: where its totals go when it loses its series. */
  private readonly pathOf = new Map<string, string>();

  /**
   * Records one pass. `kept` names the cgroups with series of their own;
   * returns every label's totals, by event.
   */
  apply(entries: readonly LedgerEntry[], kept: ReadonlySet<string>): Map<string, Map<string, number>> {
    const keptPaths = new Map<string, string>();
    for (const e of entries) if (kept.has(e.name) && !keptPaths.has(e.path)) keptPaths.set(e.path, e.name);
    const target = (p: string | undefined): string => {
      for (let q = p; q !== undefined; q = parentOf(q)) {
        const name = keptPaths.get(q);
        if (name !== undefined) return name;
      }
      return OTHER_CGROUP;
    };
    const pass = ++this.pass;
    for (const e of entries) {
      let prev = this.last.get(e.path);
      const own = kept.has(e.name);
      const to = own ? e.name : target(parentOf(e.path));
      if (own) this.pathOf.set(e.name, e.path);
      // Nothing counted since the last pass, into the same label: its totals are there already
      // (a label loses them only when it has no series, and `to` has or is `other`).
      if (prev !== undefined && prev.to === to && sameEvents(prev.events, e.events)) {
        prev.pass = pass;
        continue;
      }
      for (const ev of MEMORY_EVENTS) {
        const now = e.events[ev];
        if (now === undefined) continue;
        const before = prev?.events[ev] ?? 0;
        // Lower than last time: the cgroup was removed and made again (or failcnt reset); count from 0.
        const delta = now >= before ? now - before : now;
        this.add(to, ev, delta);
      }
      // Copied into the path's own record: the pass's objects die young instead of living a cycle.
      if (prev === undefined) this.last.set(e.path, (prev = { events: {}, pass, to }));
      prev.pass = pass;
      prev.to = to;
      for (const ev of MEMORY_EVENTS) prev.events[ev] = e.events[ev];
    }
    this.last.forEach(this.forgetUnseen);
    while (this.last.size > MAX_REMEMBERED) this.last.delete(this.last.keys().next().value as string);
    // Labels without a series this pass hand their totals on.
    const moving: Array<[string, Map<string, number>]> = [];
    this.totals.forEach((events, label) => {
      if (label !== OTHER_CGROUP && !kept.has(label)) moving.push([label, events]);
    });
    for (const [label, events] of moving) {
      const to = target(parentOf(this.pathOf.get(label) ?? '/'));
      this.totals.delete(label);
      this.pathOf.delete(label);
      for (const [ev, n] of events) this.add(to, ev, n);
    }
    return this.totals;
  }

  private readonly forgetUnseen = (l: { pass: number }, p: string): void => {
    if (l.pass !== this.pass) this.last.delete(p);
  };

  private add(label: string, event: string, n: number): void {
    let t = this.totals.get(label);
    if (t === undefined) this.totals.set(label, (t = new Map<string, number>()));
    t.set(event, (t.get(event) ?? 0) + n);
  }
}
