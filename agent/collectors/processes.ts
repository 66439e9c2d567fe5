import type { ProcessSampler } from '../../platforms/types';
import type { GroupAccumulator } from '../metrics/group-accumulator';
import { ProcessMetrics } from '../metrics/process-metrics';
import { rankSize, selectTop } from '../metrics/select-top';
import type { Collector, Incomplete } from './collector';
import type { SampleProblems } from './problems';

/**
 * Every process, folded into groups; per-pid series for the `top` largest.
 * Problems with single processes (hidepid, a garbled line) are counted, not a
 * failure: they are normal on a busy host. A sample with no process at all is
 * (the agent itself is always running): a ps printing garbage looks like that.
 */
export class ProcessesCollector implements Collector {
  readonly name = 'processes';
  readonly metrics = new ProcessMetrics();
  readonly families = this.metrics.families;

  constructor(
    private readonly sampler: ProcessSampler,
    private readonly top: number,
    private readonly problems: SampleProblems,
    /** Group CPU totals; a reload hands over the old collector's so group counters never go back. */
    readonly groups: GroupAccumulator,
  ) {}

  async collect(signal: AbortSignal): Promise<Incomplete | undefined> {
    const t0 = performance.now();
    const processes = await this.sampler.sample(signal);
    const sampleSeconds = (performance.now() - t0) / 1000;
    const problems = this.problems.take();
    if (processes.length === 0) {
      const why = problems ? `${problems.count} problem(s), first: ${problems.first.message}` : 'nothing was listed';
      throw new Error(`${this.sampler.name} sampler returned no process (${why})`);
    }
    this.metrics.write({
      processes,
      top: selectTop(processes, this.top, rankSize),
      processFields: this.sampler.fields,
      groups: this.groups.fold(processes),
      samplerName: this.sampler.name,
      sampleSeconds,
    });
    return undefined;
  }

  close(): void {
    this.sampler.close();
  }
}
