import * as os from 'os';
import { KmsgFollower, OomMerger } from '../../platforms/kmsg';
import type { Logger } from '../log';
import { OomMetrics } from '../metrics/oom-metrics';
import type { Collector, Incomplete } from './collector';
import { OomCommand, type OomCommandOptions, type OomEvent } from './oom-command';
import type { SampleProblems } from './problems';

/** Kills waiting for --on-oom while one runs; more are dropped and counted. */
const COMMAND_QUEUE = 16;

/**
 * Which processes the OOM killer took, from the kernel log (/dev/kmsg). The
 * log is followed from when the collector is built (history is skipped, so a
 * restart does not count old kills again); each cycle drains what is new.
 * hostpulse_host_oom_kills_total (host collector, /proc/vmstat) stays the
 * ground truth of how many; this one says who.
 */
export class OomCollector implements Collector {
  readonly name = 'oom';
  readonly metrics: OomMetrics;
  readonly families;
  private readonly merger = new OomMerger();
  private readonly follower: KmsgFollower;
  /** --on-oom, when given. */
  readonly command: OomCommand | undefined;

  constructor(
    path: string,
    maxVictims: number,
    private readonly problems: SampleProblems,
    private readonly logger: Logger,
    command?: Omit<OomCommandOptions, 'maxQueued'>,
  ) {
    this.metrics = new OomMetrics(maxVictims);
    if (command) this.command = new OomCommand({ ...command, maxQueued: COMMAND_QUEUE }, this.metrics, logger);
    this.families = this.metrics.families;
    this.follower = KmsgFollower.open(path, {
      onLost: (n) => {
        this.metrics.recordsLost.inc(n);
        problems.sink('kmsg_records_lost', `${n} kernel log records overwritten before they were read`);
      },
      onMalformed: (line) => problems.sink('malformed_kmsg', `not a kernel log record: ${line.slice(0, 120)}`),
    });
  }

  async collect(): Promise<Incomplete | undefined> {
    const bootMs = Date.now() - os.uptime() * 1000;
    for (const r of this.follower.read()) {
      const k = this.merger.push(r);
      if (!k) continue;
      const event: OomEvent = { ...k, time: new Date(bootMs + k.usec / 1000) };
      const label = this.metrics.record(k);
      this.logger.warn(`OOM killer killed ${k.comm} (pid ${k.pid})`, {
        event: 'oom_kill',
        pid: k.pid,
        comm: k.comm,
        ...(label !== k.comm ? { comm_label: label } : {}),
        uid: k.uid,
        constraint: k.constraint,
        task_memcg: k.taskMemcg,
        oom_memcg: k.oomMemcg,
        rss_bytes: k.rssBytes,
        time: event.time.toISOString(),
      });
      this.command?.enqueue(event);
    }
    return this.problems.takeIncomplete();
  }

  close(): void {
    this.command?.close();
    this.follower.close();
  }
}
