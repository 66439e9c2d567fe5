import { CgroupReader, type CgroupSample, type MemoryHierarchy } from '../../platforms/cgroup/reader';
import { CgroupMetrics } from '../metrics/cgroup-metrics';
import { EventLedger } from './cgroup-ledger';
import type { Collector, Incomplete } from './collector';
import type { SampleProblems } from './problems';

/**
 * Memory cgroups: for each slice, systemd unit, container and pod cgroup,
 * its usage against its limit, memory events and pressure. At most
 * `maxGroups` cgroups (the largest by usage) get series; the events of the
 * others count into their nearest kept ancestor, else `other`.
 */
export class CgroupsCollector implements Collector {
  readonly name = 'cgroups';
  readonly metrics = new CgroupMetrics();
  readonly families = this.metrics.families;
  private readonly reader: CgroupReader;
  private readonly ledger = new EventLedger();

  constructor(
    hierarchy: MemoryHierarchy,
    private readonly maxGroups: number,
    private readonly problems: SampleProblems,
  ) {
    this.reader = new CgroupReader(hierarchy, problems.sink);
  }

  collect(): Promise<Incomplete | undefined> {
    const samples = this.reader.read();
    const kept = selectCgroups(samples, this.maxGroups);
    for (const s of kept) this.reader.details(s);
    this.reader.endPass();
    this.metrics.write(kept, this.ledger.apply(samples, new Set(kept.map((s) => s.name))));
    return Promise.resolve(this.problems.takeIncomplete());
  }

  close(): void {
    this.reader.close();
  }
}

/**
 * The cgroups that get series: one per name (the first found, nearest the
 * root), then the `max` largest by usage.
 */
export function selectCgroups(samples: readonly CgroupSample[], max: number): CgroupSample[] {
  const byName = new Map<string, CgroupSample>();
  for (const s of samples) if (!byName.has(s.name)) byName.set(s.name, s);
  const all = [...byName.values()];
  if (all.length <= max) return all;
  all.sort((a, b) => (b.usageBytes ?? 0) - (a.usageBytes ?? 0) || (a.name < b.name ? -1 : 1));
  return all.slice(0, max);
}
