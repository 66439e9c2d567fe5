import type { ProcessSampler, HostSampler } from '../../platforms/types';
import { GroupAccumulator } from '../metrics/group-accumulator';
import { renderExposition } from '../metrics/exposition';
import { writeHost, writeProcesses } from '../metrics/mapping';
import type { HostpulseMetrics } from '../metrics/registry';
import { rankSize, selectTop } from '../metrics/select-top';

/** Where the time of one cycle went, in milliseconds (the benchmark reads these). */
export interface CycleTimings {
  sampleMs: number;
  mapMs: number;
  serializeMs: number;
}

/**
 * One sampling pass: read processes and host, fold and select, write the
 * metrics, render the exposition text. The push is the caller's.
 */
export class Cycle {
  readonly timings: CycleTimings = { sampleMs: 0, mapMs: 0, serializeMs: 0 };

  constructor(
    private readonly processSampler: ProcessSampler,
    private readonly hostSampler: HostSampler,
    private readonly metrics: HostpulseMetrics,
    private readonly top: number,
    /** Group CPU totals; a reload hands over the old cycle's so group counters never go back. */
    readonly groups = new GroupAccumulator(),
  ) {}

  /** Samples and maps; returns the exposition text to push. */
  async run(): Promise<string> {
    const t0 = performance.now();
    const [processes, host] = await Promise.all([this.processSampler.sample(), this.hostSampler.sample()]);
    const t1 = performance.now();
    this.metrics.sampleDuration.set({ sampler: this.processSampler.name }, (t1 - t0) / 1000);
    const groups = this.groups.fold(processes);
    const top = selectTop(processes, this.top, rankSize);
    writeProcesses(this.metrics, { processes, top, processFields: this.processSampler.fields, groups });
    writeHost(this.metrics, host);
    const t2 = performance.now();
    const text = await renderExposition(this.metrics.families);
    const t3 = performance.now();
    this.timings.sampleMs = t1 - t0;
    this.timings.mapMs = t2 - t1;
    this.timings.serializeMs = t3 - t2;
    return text;
  }
}
