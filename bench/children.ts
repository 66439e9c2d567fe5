import { spawn, type ChildProcess } from 'child_process';

/**
 * Every process the benchmark starts, each in its own process group so one
 * kill takes a filler shell and all its sleeps. `killAll` runs on the normal
 * end, on errors and on Ctrl-C; the 'exit' hook is the last resort.
 */
export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<Child>();

export interface StartOptions {
  /** Called with every whole line the child writes to stderr. */
  onStderrLine?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export function startChild(cmd: string, args: string[], opts: StartOptions = {}): Child {
  const proc = spawn(cmd, args, {
    detached: true,
    stdio: ['ignore', 'ignore', opts.onStderrLine ? 'pipe' : 'ignore'],
    env: opts.env ?? process.env,
  });
  if (proc.pid === undefined) throw new Error(`cannot start ${cmd}: is it installed and on PATH?`);
  if (opts.onStderrLine && proc.stderr) {
    const onLine = opts.onStderrLine;
    let rest = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => resolve(code));
    proc.on('error', () => resolve(-1));
  });
  const pid = proc.pid;
  const child: Child = {
    proc,
    pid,
    exited,
    async stop(graceMs = 3000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        killGroup(pid, 'SIGTERM');
        const t = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
      // Whatever the leader left in its group (a shell's sleeps) goes too.
      killGroup(pid, 'SIGKILL');
      live.delete(child);
    },
  };
  live.add(child);
  return child;
}

/** Stops every child still running, in parallel. */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(2000)));
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    // ESRCH: the whole group is gone already, which is what we want.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

process.on('exit', () => {
  for (const c of live) killGroup(c.pid, 'SIGKILL');
});
