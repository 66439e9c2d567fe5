import { spawn, type ChildProcess, type SpawnOptions } from 'child_process';

/**
 * Every process a test or the benchmark starts goes through `spawnTracked`,
 * so that one place stops them: `stop()` on the normal path, `stopAll()` on
 * errors and Ctrl-C, and a SIGKILL from the 'exit' hook as the last resort.
 */
export interface Spawned {
  child: ChildProcess;
  /** -1 when the spawn itself failed (the reason is in stderr()). */
  pid: number;
  /** Everything written to stdout / stderr so far ('' with `capture: false`). */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone (with `group`, its whole group). */
  stop(graceMs?: number): Promise<void>;
}

export interface TrackedOptions extends SpawnOptions {
  /**
   * Run in its own process group and signal the whole group, so one stop ends
   * a shell and everything it started; a Ctrl-C in the terminal then reaches
   * only the parent, which stops its children itself.
   */
  group?: boolean;
  /** Called with every whole line the process writes to stderr. */
  onStderrLine?: (line: string) => void;
  /** Keep stdout/stderr text for stdout()/stderr() (default true; a long run may not want to). */
  capture?: boolean;
}

/** Each live process and how to signal it (its group, or itself). */
const live = new Map<Spawned, (signal: NodeJS.Signals) => void>();

export function spawnTracked(cmd: string, args: string[], opts: TrackedOptions = {}): Spawned {
  const { group = false, onStderrLine, capture = true, ...spawnOpts } = opts;
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: group, ...spawnOpts });
  let out = '';
  let err = '';
  let rest = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    if (capture) out += d;
  });
  child.stderr?.on('data', (d: string) => {
    if (capture) err += d;
    if (onStderrLine) {
      const lines = (rest + d).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onStderrLine(l);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (e) => {
      err += String(e);
      resolve({ code: -1, signal: null });
    });
  });
  const pid = child.pid ?? -1;
  const kill = (signal: NodeJS.Signals): void => {
    if (group) killGroup(pid, signal);
    else child.kill(signal);
  };
  const s: Spawned = {
    child,
    pid,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop(graceMs = 3000) {
      if (child.exitCode === null && child.signalCode === null && pid > 0) {
        kill('SIGTERM');
        const t = setTimeout(() => kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
      // Whatever the leader left in its group (a shell's sleeps) goes too.
      if (group) killGroup(pid, 'SIGKILL');
      live.delete(s);
    },
  };
  live.set(s, kill);
  // A process without its own group is done when it exits; a group may outlive its leader.
  if (!group) void exited.then(() => live.delete(s));
  return s;
}

/** Stops every tracked process still running, in parallel. */
export async function stopAll(graceMs = 2000): Promise<void> {
  await Promise.all([...live.keys()].map((s) => s.stop(graceMs)));
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return; // never signal -1 (everything) or our own group
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the whole group is gone already, which is what we want.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

process.on('exit', () => {
  for (const kill of live.values()) kill('SIGKILL');
});
