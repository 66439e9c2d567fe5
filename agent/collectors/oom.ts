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
 * The open kernel log of a running OOM collector, as a reload hands it to
 * the next one: the same reader (its position, its sequence number) and the
 * same merger (a summary read just before the reload pairs with the kill
 * after it), so no record is skipped or read twice. Shared while both
 * collectors exist (only one of them ever reads: the old configuration
 * stops before the new one starts); closed when the last one closes.
 */
class KmsgReader {
  readonly merger = new OomMerger();
  readonly follower: KmsgFollower;
  /** The problem recorder of the collector reading now (each sets itself before it reads). */
  problems: SampleProblems;
  private users = 1;

  /** Opens `path` and skips its history. */
  constructor(
    readonly path: string,
    private readonly metrics: OomMetrics,
    problems: SampleProblems,
  ) {
    this.problems = problems;
    this.follower = KmsgFollower.open(path, {
      onLost: (n) => {
        this.metrics.recordsLost.inc(n);
        this.problems.sink('kmsg_records_lost', `${n} kernel log records overwritten before they were read`);
      },
      onMalformed: (line) => this.problems.sink('malformed_kmsg', `not a kernel log record: ${line.slice(0, 120)}`),
    });
  }

  retain(problems: SampleProblems): this {
    this.users++;
    this.problems = problems;
    return this;
  }

  release(): void {
    if (--this.users === 0) this.follower.close();
  }
}

/** What a running OOM collector hands to the one a reload builds. */
export interface OomHandOver {
  metrics: OomMetrics;
  reader: KmsgReader;
}

/**
 * Which processes the OOM killer took, from the kernel log (/dev/kmsg). The
 * log is followed from when the collector is built (history is skipped, so a
 * restart does not count old kills again); each cycle drains what is new. A
 * reload's collector takes the running one's reader and counters over.
 * hostpulse_host_oom_kills_total (host collector, /proc/vmstat) stays the
 * ground truth of how many; this one says who.
 */
export class OomCollector implements Collector {
  readonly name = 'oom';
  readonly metrics: OomMetrics;
  readonly families;
  private readonly reader: KmsgReader;
  /** --on-oom, when given. */
  readonly command: OomCommand | undefined;

  constructor(
    path: string,
    maxVictims: number,
    private readonly problems: SampleProblems,
    private readonly logger: Logger,
    command?: Omit<OomCommandOptions, 'maxQueued'>,
    /** The running collector's reader and counters, on a reload. */
    carried?: OomHandOver,
  ) {
    // The counters carry on (a changed --oom-max-victims applies from the next start).
    this.metrics = carried?.metrics ?? new OomMetrics(maxVictims);
    if (command) this.command = new OomCommand({ ...command, maxQueued: COMMAND_QUEUE }, this.metrics, logger);
    this.families = this.metrics.families;
    this.reader =
      carried && carried.reader.path === path
        ? carried.reader.retain(problems)
        : new KmsgReader(path, this.metrics, problems);
  }

  /** For the collector a reload builds: this one's reader and counters (this one keeps reading until it is closed). */
  handOver(): OomHandOver {
    return { metrics: this.metrics, reader: this.reader };
  }

  async collect(): Promise<Incomplete | undefined> {
    const bootMs = Date.now() - os.uptime() * 1000;
    this.reader.problems = this.problems;
    for (const r of this.reader.follower.read()) {
      const k = this.reader.merger.push(r);
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
    this.reader.release();
  }
}
