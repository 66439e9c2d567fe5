import { spawn } from 'child_process';
import * as os from 'os';
import type { Logger } from '../log';
import type { OomMetrics } from '../metrics/oom-metrics';
import type { OomKill } from '../../platforms/kmsg';

/**
 * One kill as the log line, --on-oom and tests see it. Declared here, beside the
 * command that consumes it, so the collector imports the command and not the reverse.
 */
export interface OomEvent extends OomKill {
  /** Wall-clock time of the kill (boot time + the record's monotonic time). */
  time: Date;
}

export interface OomCommandOptions {
  /** Run by `sh -c`, the event as JSON on its stdin. */
  command: string;
  timeoutMs: number;
  /** Kills waiting for their turn; more are dropped and counted. */
  maxQueued: number;
  job: string;
  instance: string;
}

/** What the command reads on stdin: one JSON object, then end of file. */
export interface OomCommandInput {
  host: string;
  job: string;
  instance: string;
  pid: number;
  comm: string;
  uid?: number;
  /** The victim's memory cgroup (task_memcg), e.g. /system.slice/foo.service. */
  cgroup?: string;
  /** The cgroup whose limit was hit (oom_memcg). */
  oomCgroup?: string;
  constraint: string;
  rssBytes: number;
  time: string;
}

const MAX_STDERR_BYTES = 4096;

/**
 * --on-oom: runs a user command for each kill, one at a time, outside the
 * cycle (collect() only queues, so sampling and pushing never wait for it).
 * A command past its timeout is SIGKILLed; its exit status and stderr are
 * logged; a full queue drops kills (counted and logged).
 */
export class OomCommand {
  private readonly queue: OomEvent[] = [];
  private running = false;
  private closed = false;
  private child: ReturnType<typeof spawn> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: OomCommandOptions,
    private readonly metrics: OomMetrics,
    private readonly logger: Logger,
  ) {
    metrics.commandDropped.inc(0);
  }

  enqueue(e: OomEvent): void {
    if (this.closed) return;
    if (this.queue.length >= this.opts.maxQueued) {
      this.metrics.commandDropped.inc();
      this.logger.warn(
        `--on-oom: queue full (${this.opts.maxQueued}), not run for the kill of ${e.comm} (pid ${e.pid})`,
        { pid: e.pid, comm: e.comm },
      );
      return;
    }
    this.queue.push(e);
    this.next();
  }

  /** Drops what waits; a command already running is left to finish (or to its timeout) on its own. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.child?.unref();
    this.timer?.unref();
  }

  /** Resolves when nothing runs and nothing waits (tests). */
  async idle(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 20));
  }

  private next(): void {
    if (this.running || this.closed) return;
    const e = this.queue.shift();
    if (!e) return;
    this.running = true;
    const input: OomCommandInput = {
      host: os.hostname(),
      job: this.opts.job,
      instance: this.opts.instance,
      pid: e.pid,
      comm: e.comm,
      uid: e.uid,
      cgroup: e.taskMemcg,
      oomCgroup: e.oomMemcg,
      constraint: e.constraint,
      rssBytes: e.rssBytes,
      time: e.time.toISOString(),
    };
    const started = Date.now();
    const child = spawn('sh', ['-c', this.opts.command], { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    let timedOut = false;
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += d.toString('utf8').slice(0, MAX_STDERR_BYTES - stderr.length);
    });
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      // EPIPE: the command exited without reading its stdin, which is its right.
      if (err.code !== 'EPIPE') this.logger.warn(`--on-oom: writing the event to the command failed: ${err.message}`);
    });
    child.stdin.end(JSON.stringify(input) + '\n');
    this.timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, this.opts.timeoutMs);
    const done = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      clearTimeout(this.timer);
      this.child = undefined;
      const result = spawnError ? 'failed' : timedOut ? 'timeout' : code === 0 ? 'ok' : 'failed';
      this.metrics.commandRuns.inc({ result });
      const meta = {
        pid: e.pid,
        comm: e.comm,
        exit_code: code,
        signal,
        duration_ms: Date.now() - started,
        stderr: stderr.trimEnd() || undefined,
      };
      if (spawnError) this.logger.error(`--on-oom: could not start sh: ${spawnError.message}`, meta);
      else if (result === 'ok') this.logger.info('--on-oom: command finished', meta);
      else
        this.logger.warn(
          timedOut ? `--on-oom: command killed after ${this.opts.timeoutMs} ms` : '--on-oom: command failed',
          meta,
        );
      this.running = false;
      this.next();
    };
    child.on('error', (err) => done(null, null, err));
    child.on('close', (code, signal) => done(code, signal));
  }
}
