import * as fs from 'fs';
import * as path from 'path';
import { processStartTicks } from './process-start';

/**
 * The buffer directory is another agent's, or cannot be locked now. Not a
 * UsageError (exit 2): both heal (the other agent stops, a mount appears), so
 * the exit is the ordinary failure (1) and the service manager tries again.
 */
export class BufferDirBusyError extends Error {
  override readonly name = 'BufferDirBusyError';
}

/** What a lock file records: its owner's pid and, where /proc has it, the owner's start time in clock ticks since boot. */
interface Owner {
  pid: number;
  start: string | undefined;
}

/**
 * One agent per buffer directory: `<dir>/lock`, created with O_EXCL, holds
 * the owner's pid and start time. A lock is honoured only while the process
 * that wrote it runs: a pid now held by another process (after a reboot or a
 * kill -9, pids are reused) has another start time and the lock is taken
 * over. A live owner stops start-up with BufferDirBusyError.
 */
export function acquireBufferLock(dir: string, procfsRoot = '/proc'): () => void {
  const file = path.join(dir, 'lock');
  const own = processStartTicks(process.pid, procfsRoot);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n${own ?? ''}\n`, { flag: 'wx' });
      return () => releaseLock(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new BufferDirBusyError(`--buffer-dir ${dir}: cannot create ${file}: ${(err as Error).message}`);
      }
    }
    const owner = readOwner(file);
    if (owner !== undefined && holds(owner, file, procfsRoot)) {
      throw new BufferDirBusyError(
        `--buffer-dir ${dir} is in use by another hostpulse (pid ${owner.pid}, ${file}); give each agent its own directory`,
      );
    }
    // Stale (its agent died, its pid may be another process's now) or unreadable: remove it and try once more.
    fs.rmSync(file, { force: true });
  }
  throw new BufferDirBusyError(`--buffer-dir ${dir}: cannot take ${file}`);
}

/** The recorded owner; undefined when the file is gone or holds no pid. */
function readOwner(file: string): Owner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    // Removed between our create and read: the owner just left.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const [pid, start] = text.split('\n').map((s) => s.trim());
  const n = Number(pid);
  return /^\d+$/.test(pid) && n > 0 ? { pid: n, start: start === '' ? undefined : start } : undefined;
}

/** Whether the process that wrote the lock still runs. */
function holds(owner: Owner, file: string, procfsRoot: string): boolean {
  // Our own pid in a lock we did not write this run: a previous life of this agent (a restart reused the pid).
  if (owner.pid === process.pid) return false;
  if (processStartTicks(process.pid, procfsRoot) === undefined) return aliveBySignal(owner.pid); // no /proc (macOS, BSD)
  const start = processStartTicks(owner.pid, procfsRoot);
  if (start === undefined) return false; // no such process
  if (owner.start !== undefined) return start === owner.start;
  // A lock of an older agent, pid only: its writer started before it was written; a process started later is not it.
  return startedBefore(start, fs.statSync(file).mtimeMs, procfsRoot);
}

/** Without /proc: kill(pid, 0). EPERM: it exists but is another user's. */
function aliveBySignal(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start ticks -> wall time by /proc/stat's btime and USER_HZ (100 on every Linux ABI), with a second of slack. */
function startedBefore(startTicks: string, mtimeMs: number, procfsRoot: string): boolean {
  const btime = /^btime (\d+)$/m.exec(fs.readFileSync(path.join(procfsRoot, 'stat'), 'utf8'));
  if (btime === null) return true; // cannot tell: honour it, as before
  const startedMs = (Number(btime[1]) + Number(startTicks) / 100) * 1000;
  return startedMs <= mtimeMs + 1000;
}

function releaseLock(file: string): void {
  if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
}
