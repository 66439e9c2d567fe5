import type { ProcessField, ProcessSample } from '../../platforms/types';
import { FamilySet } from './families';
import type { GroupRow } from '../grouping/group-accumulator';

/** What the processes collector writes in one cycle. */
export interface ProcessCycle {
  processes: readonly ProcessSample[];
  top: readonly ProcessSample[];
  processFields: ReadonlySet<ProcessField>;
  groups: ReadonlyMap<string, GroupRow>;
  /** Groups folded into group="other" by --max-groups; 0 when absent (tests, no budget). */
  groupsFolded?: number;
  samplerName: string;
  sampleSeconds: number;
}

/** The per-process and per-group families of the metric contract (docs/metrics.md), and the sampler's own figures. */
export class ProcessMetrics extends FamilySet {
  readonly rss = this.gauge('hostpulse_process_resident_memory_bytes', 'Resident set size of a top process.', [
    'pid',
    'comm',
  ]);
  readonly vsz = this.gauge('hostpulse_process_virtual_memory_bytes', 'Virtual memory size of a top process.', [
    'pid',
    'comm',
  ]);
  readonly cpu = this.counter('hostpulse_process_cpu_seconds_total', 'CPU time of a top process by mode.', [
    'pid',
    'comm',
    'mode',
  ]);
  readonly threads = this.gauge('hostpulse_process_threads', 'Threads of a top process.', ['pid', 'comm']);
  readonly start = this.gauge('hostpulse_process_start_time_seconds', 'Start time of a top process, Unix seconds.', [
    'pid',
    'comm',
  ]);

  readonly groupRss = this.gauge(
    'hostpulse_group_resident_memory_bytes',
    'Resident set size summed over the processes of a group.',
    ['group'],
  );
  readonly groupCpu = this.counter(
    'hostpulse_group_cpu_seconds_total',
    'CPU time of the processes of a group by mode, including processes seen to exit.',
    ['group', 'mode'],
  );
  readonly groupProcesses = this.gauge('hostpulse_group_processes', 'Processes in a group.', ['group']);

  readonly seen = this.gauge(
    'hostpulse_agent_processes',
    'Processes seen in the last sample, and how many got per-pid series.',
    ['state'],
  );
  readonly groupsFolded = this.gauge(
    'hostpulse_agent_groups_folded',
    'Groups folded into group="other" by the per-host group budget (--max-groups) in the last cycle.',
  );
  readonly sampleDuration = this.gauge(
    'hostpulse_agent_sample_duration_seconds',
    'Wall time of the last process sampling.',
    ['sampler'],
  );

  /**
   * Samples -> metric values. No I/O. Every cycle replaces the label sets of the
   * last one, so exited processes and empty groups disappear from the push.
   * A field the sampler does not measure gets no series (never a zero).
   */
  write(s: ProcessCycle): void {
    const f = s.processFields;
    this.rss.reset();
    this.vsz.reset();
    this.cpu.reset();
    this.threads.reset();
    this.start.reset();
    for (const p of s.top) {
      const labels = { pid: String(p.pid), comm: p.comm };
      if (f.has('rss') && p.rssBytes !== undefined) this.rss.set(labels, p.rssBytes);
      if (f.has('vsz') && p.vszBytes !== undefined) this.vsz.set(labels, p.vszBytes);
      if (f.has('threads') && p.threads !== undefined) this.threads.set(labels, p.threads);
      if (f.has('startTime') && p.startTimeSeconds !== undefined) this.start.set(labels, p.startTimeSeconds);
      if (f.has('cpu')) {
        if (p.cpuUserSeconds !== undefined) this.cpu.inc({ ...labels, mode: 'user' }, p.cpuUserSeconds);
        if (p.cpuSystemSeconds !== undefined) this.cpu.inc({ ...labels, mode: 'system' }, p.cpuSystemSeconds);
      }
      // ps/top know only user+system together: one series with mode="total", never passed off as user time.
      if (f.has('cpuTotal') && p.cpuTotalSeconds !== undefined)
        this.cpu.inc({ ...labels, mode: 'total' }, p.cpuTotalSeconds);
    }

    this.groupRss.reset();
    this.groupCpu.reset();
    this.groupProcesses.reset();
    for (const [group, g] of s.groups) {
      this.groupProcesses.set({ group }, g.processes);
      if (f.has('rss')) this.groupRss.set({ group }, g.rssBytes);
      if (f.has('cpu')) {
        this.groupCpu.inc({ group, mode: 'user' }, g.cpuUserSeconds);
        this.groupCpu.inc({ group, mode: 'system' }, g.cpuSystemSeconds);
      }
      if (f.has('cpuTotal')) this.groupCpu.inc({ group, mode: 'total' }, g.cpuTotalSeconds);
    }

    this.seen.set({ state: 'seen' }, s.processes.length);
    this.seen.set({ state: 'exported' }, s.top.length);
    this.groupsFolded.set(s.groupsFolded ?? 0);
    this.sampleDuration.reset();
    this.sampleDuration.set({ sampler: s.samplerName }, s.sampleSeconds);
  }
}
