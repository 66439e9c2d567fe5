import type { HostSampler } from '../../platforms/types';
import { HostMetrics } from '../metrics/host-metrics';
import type { Collector, Incomplete } from './collector';
import type { SampleProblems } from './problems';

/**
 * Host memory, CPU, load, OOM kills and memory pressure. A file that cannot be
 * read or parsed drops its fields and makes the cycle incomplete: the rest is
 * still pushed, and collector_success says something is wrong.
 */
export class HostCollector implements Collector {
  readonly name = 'host';
  readonly metrics = new HostMetrics();
  readonly families = this.metrics.families;

  constructor(
    private readonly sampler: HostSampler,
    private readonly problems: SampleProblems,
  ) {}

  async collect(signal: AbortSignal): Promise<Incomplete | undefined> {
    const sample = await this.sampler.sample(signal);
    this.metrics.write(sample);
    return this.problems.takeIncomplete();
  }

  close(): void {
    this.sampler.close?.();
  }
}
