import type { ProcessSampler } from '../../platforms/types';
import type { GroupAccumulator } from '../grouping/group-accumulator';
import { COMM_GROUPER, type Grouper } from '../grouping/grouper';
import { GroupBudget } from '../grouping/group-budget';
import { ExportedProcesses } from '../metrics/exported-processes';
import type { ProcessDetailMetrics } from '../metrics/process-detail-metrics';
import { ProcessMetrics } from '../metrics/process-metrics';
import { rankSize, selectTop } from '../grouping/select-top';
import type { Family } from '../metrics/families';
import type { Collector, Incomplete } from './collector';
import type { ProcessDetailReader } from './process-detail';
import type { SampleProblems } from './problems';

/** How many processes get per-pid series: by RSS, by CPU over the last interval, and how long a dropped one is held. */
export interface TopOptions {
  rss: number;
  cpu: number;
  hold: number;
  /** Most group series (see GroupBudget). */
  maxGroups: number;
}

/**
 * Every process, folded into groups; per-pid series for the `top.rss` largest
 * and the `top.cpu` busiest (held `top.hold` cycles after they drop out).
 * Problems with single processes (hidepid, a garbled line) are counted, not a
 * failure: they are normal on a busy host. A sample with no process at all is
 * (the agent itself is always running): a ps printing garbage looks like that.
 */
export class ProcessesCollector implements Collector {
  readonly name = 'processes';
  readonly metrics = new ProcessMetrics();
  readonly families: Family[];
  private readonly exported: ExportedProcesses;
  private readonly budget: GroupBudget;

  constructor(
    private readonly sampler: ProcessSampler,
    private readonly top: TopOptions,
    private readonly problems: SampleProblems,
    /** Group CPU totals; a reload hands over the old collector's so group counters never go back. */
    readonly groups: GroupAccumulator,
    /** What a group is (--group-by); comm when not given. */
    private readonly grouper: Grouper = COMM_GROUPER,
    /** --process-detail: what is read for the exported pids (and only them) each cycle; no families when none. */
    private readonly detail?: { reader: ProcessDetailReader; metrics: ProcessDetailMetrics },
  ) {
    this.exported = new ExportedProcesses(top.hold);
    this.budget = new GroupBudget(top.maxGroups);
    this.families =
      detail === undefined
        ? this.metrics.families
        : [...this.metrics.families, ...detail.metrics.familiesFor(detail.reader.kinds)];
  }

  async collect(signal: AbortSignal): Promise<Incomplete | undefined> {
    const t0 = performance.now();
    const processes = await this.sampler.sample(signal);
    const sampleSeconds = (performance.now() - t0) / 1000;
    const problems = this.problems.take();
    if (processes.length === 0) {
      const why = problems ? `${problems.count} problem(s), first: ${problems.first.message}` : 'nothing was listed';
      throw new Error(`${this.sampler.name} sampler returned no process (${why})`);
    }
    const groups = this.groups.fold(processes, this.grouper.keyOf);
    this.grouper.endCycle();
    // Read before the next fold: the CPU each process used since the last cycle, index for index.
    const delta = this.groups.cpuDelta;
    const top = this.exported.choose(
      processes,
      selectTop(processes, this.top.rss, rankSize),
      selectTop(processes, this.top.cpu, (_, i) => delta[i], 0),
    );
    this.metrics.write({
      processes,
      top,
      processFields: this.sampler.fields,
      groups: this.budget.apply(groups),
      groupsFolded: this.budget.folded,
      samplerName: this.sampler.name,
      sampleSeconds,
    });
    const detail = this.detail;
    if (detail !== undefined) detail.metrics.write(top, detail.reader.read(top));
    return undefined;
  }

  close(): void {
    this.sampler.close();
  }
}
