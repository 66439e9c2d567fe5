import type { CgroupMemory } from '../../platforms/cgroup/parse';
import { FamilySet } from './families';
import type { TableSeries } from './table-family';

/** One cgroup of a cycle, as its series show it. */
export interface CgroupRow extends CgroupMemory {
  /** The `cgroup` label (`--group-by cgroup`'s name). */
  name: string;
}

/** The series of one cgroup label, kept while it has series (TableFamily). */
interface CgroupSeries {
  usage: TableSeries;
  limit: TableSeries;
  high: TableSeries;
  swap: TableSeries;
  anon: TableSeries;
  file: TableSeries;
  underOom: TableSeries;
  pressureSome: TableSeries;
  pressureFull: TableSeries;
  events: Map<string, TableSeries>;
  /** The last cycle that wrote it. */
  cycle: number;
}

/**
 * Memory cgroups (the `cgroups` collector): usage against the limit, the
 * kernel's memory events and memory pressure, by cgroup named as
 * `--group-by cgroup` names it. Series are replaced whole every cycle.
 */
export class CgroupMetrics extends FamilySet {
  readonly usage = this.table(
    'hostpulse_cgroup_memory_usage_bytes',
    'Memory charged to the cgroup and its sub-cgroups (v2 memory.current, v1 memory.usage_in_bytes).',
    'gauge',
    ['cgroup'],
  );
  readonly limit = this.table(
    'hostpulse_cgroup_memory_limit_bytes',
    'Hard memory limit of the cgroup (v2 memory.max, v1 memory.limit_in_bytes); no series when unlimited.',
    'gauge',
    ['cgroup'],
  );
  readonly high = this.table(
    'hostpulse_cgroup_memory_high_bytes',
    'Memory throttle limit of the cgroup (v2 memory.high); no series when unlimited or on cgroup v1.',
    'gauge',
    ['cgroup'],
  );
  readonly swap = this.table(
    'hostpulse_cgroup_swap_usage_bytes',
    'Swap used by the cgroup (v2 memory.swap.current).',
    'gauge',
    ['cgroup'],
  );
  readonly stat = this.table(
    'hostpulse_cgroup_memory_stat_bytes',
    'Memory of the cgroup by kind: anon (v2 anon, v1 total_rss) and file (v2 file, v1 total_cache).',
    'gauge',
    ['cgroup', 'kind'],
  );
  readonly events = this.table(
    'hostpulse_cgroup_memory_events_total',
    "Memory events of the cgroup (v2 memory.events: low, high, max, oom, oom_kill, oom_group_kill; v1: max = memory.failcnt, oom_kill); a removed sub-cgroup's counts stay with its parent.",
    'counter',
    ['cgroup', 'event'],
  );
  readonly underOom = this.table(
    'hostpulse_cgroup_memory_under_oom',
    'v1 memory.oom_control under_oom: 1 while the cgroup is at its limit with the OOM killer disabled for it.',
    'gauge',
    ['cgroup'],
  );
  readonly pressure = this.table(
    'hostpulse_cgroup_memory_pressure_stall_seconds_total',
    'Time tasks of the cgroup stalled on memory (v2 memory.pressure), kind=some (at least one) or full (all).',
    'counter',
    ['cgroup', 'kind'],
  );

  private readonly byName = new Map<string, CgroupSeries>();
  private cycle = 0;

  /**
   * One cycle: the kept cgroups' values, then every label's event totals
   * (the ledger's, by event). Replaces the last cycle's series whole; a value
   * the kernel did not give gets no series (never a zero). No I/O.
   */
  write(rows: readonly CgroupRow[], events: ReadonlyMap<string, ReadonlyMap<string, number>>): void {
    this.cycle++;
    for (const f of this.families) f.reset();
    for (const r of rows) {
      const s = this.seriesOf(r.name);
      if (r.usageBytes !== undefined) s.usage = this.usage.add(s.usage, r.usageBytes);
      if (r.limitBytes !== undefined) s.limit = this.limit.add(s.limit, r.limitBytes);
      if (r.highBytes !== undefined) s.high = this.high.add(s.high, r.highBytes);
      if (r.swapBytes !== undefined) s.swap = this.swap.add(s.swap, r.swapBytes);
      if (r.anonBytes !== undefined) s.anon = this.stat.add(s.anon, r.anonBytes);
      if (r.fileBytes !== undefined) s.file = this.stat.add(s.file, r.fileBytes);
      if (r.underOom !== undefined) s.underOom = this.underOom.add(s.underOom, r.underOom);
      if (r.pressureSomeSeconds !== undefined)
        s.pressureSome = this.pressure.add(s.pressureSome, r.pressureSomeSeconds);
      if (r.pressureFullSeconds !== undefined)
        s.pressureFull = this.pressure.add(s.pressureFull, r.pressureFullSeconds);
    }
    // forEach, not for-of over entries: no [key, value] pair per cgroup and event.
    events.forEach(this.writeEvents);
    this.byName.forEach(this.dropUnwritten);
  }

  /** The cgroup whose events `writeEvent` writes (fields, not a closure per cgroup and cycle). */
  private eventsOf: CgroupSeries | undefined;
  private eventsCgroup = '';

  private readonly writeEvents = (byEvent: ReadonlyMap<string, number>, cgroup: string): void => {
    this.eventsOf = this.seriesOf(cgroup);
    this.eventsCgroup = cgroup;
    byEvent.forEach(this.writeEvent);
  };

  private readonly writeEvent = (n: number, event: string): void => {
    const s = this.eventsOf as CgroupSeries;
    const e = s.events.get(event) ?? this.events.series({ cgroup: this.eventsCgroup, event });
    const next = this.events.add(e, n);
    if (next !== e) s.events.set(event, next);
  };

  private readonly dropUnwritten = (s: CgroupSeries, name: string): void => {
    if (s.cycle !== this.cycle) this.byName.delete(name);
  };

  private seriesOf(cgroup: string): CgroupSeries {
    let s = this.byName.get(cgroup);
    if (s === undefined) {
      const labels = { cgroup };
      s = {
        usage: this.usage.series(labels),
        limit: this.limit.series(labels),
        high: this.high.series(labels),
        swap: this.swap.series(labels),
        anon: this.stat.series({ cgroup, kind: 'anon' }),
        file: this.stat.series({ cgroup, kind: 'file' }),
        underOom: this.underOom.series(labels),
        pressureSome: this.pressure.series({ cgroup, kind: 'some' }),
        pressureFull: this.pressure.series({ cgroup, kind: 'full' }),
        events: new Map(),
        cycle: this.cycle,
      };
      this.byName.set(cgroup, s);
    }
    s.cycle = this.cycle;
    return s;
  }
}
