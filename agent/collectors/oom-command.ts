import { spawn } from 'child_process';
import * as os from 'os';
import type { Logger } from '../log';
import type { OomMetrics } from '../metrics/oom-metrics';
import type { OomKill } from '../../platforms/kmsg';
import { holdsInheritableCaps, killGroup, oomHookArgv, oomHookEnv, type OomHookFields } from './oom-hook-process';

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

const MAX_STDERR_BYTES = 4096;
/** After the command exits, how long its stderr may still drain before the run completes without it. */
const STDERR_GRACE_MS = 500;

/**
 * --on-oom: runs a user command for each kill, one at a time, outside the
 * cycle (collect() only queues, so sampling and pushing never wait for it).
 * The command runs in its own process group, without the agent's ambient
 * capabilities, with PATH and HOSTPULSE_OOM_* as its whole environment. At
 * its timeout the whole group is SIGKILLed and the run completes; when sh
 * exits, what it left in its group is killed too. Exit status and stderr are
 * logged; a full queue drops kills (counted and logged).
 */
export class OomCommand {
  private readonly queue: OomEvent[] = [];
  private running = false;
  private closed = false;
  private child: ReturnType<typeof spawn> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Whether the command must be started through setpriv to shed the agent's ambient capabilities. */
  private readonly dropCaps = holdsInheritableCaps();

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
    const input: OomHookFields = {
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
    const [file, args] = oomHookArgv(this.opts.command, this.dropCaps);
    // Its own process group (detached: setsid), so the timeout can end everything it started; only
    // PATH and the HOSTPULSE_OOM_* variables, so the agent's secrets stay with the agent.
    const child = spawn(file, args, {
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: true,
      env: oomHookEnv(input, process.env.PATH),
    });
    this.child = child;
    let stderr = '';
    let finished = false;
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_STDERR_BYTES) stderr += d.toString('utf8').slice(0, MAX_STDERR_BYTES - stderr.length);
    });
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      // EPIPE: the command exited without reading its stdin, which is its right.
      if (err.code !== 'EPIPE') this.logger.warn(`--on-oom: writing the event to the command failed: ${err.message}`);
    });
    child.stdin.end(JSON.stringify(input) + '\n');
    let grace: NodeJS.Timeout | undefined;
    const done = (
      result: 'ok' | 'failed' | 'timeout',
      code: number | null,
      signal: NodeJS.Signals | null,
      spawnError?: Error,
    ): void => {
      if (finished) return;
      finished = true;
      clearTimeout(this.timer);
      clearTimeout(grace);
      this.child = undefined;
      // Whatever still holds the pipes (a helper that left the group) no longer keeps the run open.
      child.stderr.destroy();
      child.stdin.destroy();
      this.metrics.commandRuns.inc({ result });
      const meta = {
        pid: e.pid,
        comm: e.comm,
        exit_code: code,
        signal,
        duration_ms: Date.now() - started,
        stderr: stderr.trimEnd() || undefined,
      };
      if (spawnError) this.logger.error(`--on-oom: could not start ${file}: ${spawnError.message}`, meta);
      else if (result === 'ok') this.logger.info('--on-oom: command finished', meta);
      else
        this.logger.warn(
          result === 'timeout'
            ? `--on-oom: command killed after ${this.opts.timeoutMs} ms`
            : '--on-oom: command failed',
          meta,
        );
      this.running = false;
      this.next();
    };
    this.timer = setTimeout(() => {
      // The whole group: sh, and the curl or backgrounded helper it started. The run ends now,
      // not when the last pipe closes.
      if (child.pid !== undefined) killGroup(child.pid);
      done('timeout', null, 'SIGKILL');
    }, this.opts.timeoutMs);
    child.on('error', (err) => done('failed', null, null, err));
    child.on('exit', (code, signal) => {
      // The command's run is sh's life: what it left behind in its group goes with it (the group
      // still exists while any member lives, so its id cannot have been reused). Its stderr gets a
      // moment to drain, then the run completes whoever still holds the pipe.
      if (child.pid !== undefined) killGroup(child.pid);
      const result = code === 0 ? 'ok' : 'failed';
      child.on('close', () => done(result, code, signal));
      grace = setTimeout(() => done(result, code, signal), STDERR_GRACE_MS);
    });
  }
}
