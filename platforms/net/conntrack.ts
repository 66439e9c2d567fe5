import { spawn, spawnSync, type ChildProcess } from 'child_process';
import { parseConntrackNew, type ConntrackNew } from './conntrack-event';

export const CONNTRACK_ARGS = ['-E', '-e', 'NEW', '-p', 'tcp'] as const;

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
/** A run that lasted this long was healthy: the next restart starts from the first back-off again. */
const HEALTHY_RUN_MS = 60_000;

export interface ConntrackEvents {
  onNew(c: ConntrackNew): void;
  onMalformed(line: string): void;
  /** The stream ended (exit, signal or spawn error); restarted after `restartInMs`. */
  onExit(reason: string, restartInMs: number): void;
}

/**
 * Why `conntrack -E` cannot run here, or undefined when it can: the tool must
 * be on PATH (Debian package `conntrack`) and the kernel must answer
 * ctnetlink (`conntrack -C`, which needs nf_conntrack_netlink and CAP_NET_ADMIN).
 */
export function conntrackUnavailable(command = 'conntrack'): string | undefined {
  const r = spawnSync(command, ['-C'], { encoding: 'utf8', timeout: 5000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${command} is not installed (Debian/Ubuntu package "conntrack")`;
    return `${command} -C failed: ${r.error.message}`;
  }
  if (r.status !== 0) {
    return `${command} -C exited ${String(r.status ?? r.signal)}: ${r.stderr.trim() || r.stdout.trim()} (needs the nf_conntrack_netlink module and CAP_NET_ADMIN)`;
  }
  return undefined;
}

/**
 * One long-lived `conntrack -E -e NEW -p tcp`, read line by line as a stream.
 * When it dies it is started again after a back-off (1 s, doubling to 30 s;
 * back to 1 s after a run of a minute), until close().
 */
export class ConntrackFollower {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private backoffMs = FIRST_BACKOFF_MS;
  private carry = '';

  constructor(
    private readonly events: ConntrackEvents,
    private readonly command = 'conntrack',
  ) {}

  start(): void {
    if (this.closed) return;
    const started = Date.now();
    // stdbuf -oL: conntrack writes to a pipe through stdio's full buffering otherwise.
    const child = spawn('stdbuf', ['-oL', this.command, ...CONNTRACK_ARGS], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.carry = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.lines(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      if (stderr.length < 2048) stderr += d;
    });
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      this.child = undefined;
      if (this.closed) return;
      if (Date.now() - started >= HEALTHY_RUN_MS) this.backoffMs = FIRST_BACKOFF_MS;
      const wait = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.events.onExit(reason, wait);
      this.timer = setTimeout(() => this.start(), wait);
      this.timer.unref();
    };
    child.on('error', (err) => end(`could not start ${this.command}: ${err.message}`));
    child.on('close', (code, signal) => {
      const tail = stderr.trim().split('\n').pop() ?? '';
      // conntrack prints its event count on stderr when it ends: keep only an error-looking last line.
      end(`${this.command} -E ended (${signal ?? `exit ${String(code)}`})${tail ? `: ${tail}` : ''}`);
    });
  }

  /** The pid of the running conntrack (its stdbuf wrapper execs it), for tests. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  private lines(chunk: string): void {
    const text = this.carry + chunk;
    const cut = text.lastIndexOf('\n');
    this.carry = text.slice(cut + 1);
    if (cut < 0) return;
    for (const line of text.slice(0, cut).split('\n')) {
      if (line.trim() === '') continue;
      const c = parseConntrackNew(line);
      if (c) this.events.onNew(c);
      else this.events.onMalformed(line);
    }
  }
}
