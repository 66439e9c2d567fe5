import type { OomKill } from '../../platforms/kmsg';
import { FamilySet } from './families';

/** The comm label for victims past the --oom-max-victims budget. */
export const OTHER_COMM = 'other';

/**
 * OOM kills read from the kernel log, by victim. At most `maxVictims` distinct
 * comms get their own series; later ones fold into comm="other", so sums over
 * comm stay exact. Counters only go up for the life of the collector.
 */
export class OomMetrics extends FamilySet {
  readonly kills = this.counter(
    'hostpulse_oom_kills_total',
    'Processes the kernel OOM killer killed since the agent started, by victim comm and constraint (host or cgroup).',
    ['comm', 'constraint'],
  );
  readonly victimRss = this.gauge(
    'hostpulse_oom_victim_resident_memory_bytes',
    'Resident memory (anon + file + shmem) of the last OOM victim with this comm when it was killed.',
    ['comm'],
  );
  readonly recordsLost = this.counter(
    'hostpulse_oom_kernel_log_records_lost_total',
    'Kernel log records overwritten before the agent read them (an OOM kill may be among them).',
  );
  readonly commandRuns = this.counter(
    'hostpulse_oom_command_runs_total',
    'Runs of the --on-oom command, by result (ok, failed, timeout).',
    ['result'],
  );
  readonly commandDropped = this.counter(
    'hostpulse_oom_command_dropped_total',
    'OOM kills for which --on-oom was not run because its queue was full.',
  );
  private readonly comms = new Set<string>();

  constructor(private readonly maxVictims: number) {
    super();
    this.recordsLost.inc(0);
  }

  /** Counts one kill; returns the comm label it was counted under. */
  record(k: OomKill): string {
    let comm = k.comm;
    if (!this.comms.has(comm)) {
      if (this.comms.size < this.maxVictims && comm !== OTHER_COMM) this.comms.add(comm);
      else comm = OTHER_COMM;
    }
    this.kills.inc({ comm, constraint: k.constraint });
    this.victimRss.set({ comm }, k.rssBytes);
    return comm;
  }
}
