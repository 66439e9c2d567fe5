import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../errors';

/**
 * One agent per buffer directory: `<dir>/lock` holds the owner's pid, created
 * with O_EXCL. A lock whose pid is gone (the agent was kill -9ed) is taken
 * over; a live one stops start-up with a clear error.
 */
export function acquireBufferLock(dir: string): () => void {
  const file = path.join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => releaseLock(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UsageError(`--buffer-dir ${dir}: cannot create ${file}: ${(err as Error).message}`);
      }
    }
    const owner = Number.parseInt(readOwner(file), 10);
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new UsageError(
        `--buffer-dir ${dir} is in use by another hostpulse (pid ${owner}, ${file}); give each agent its own directory`,
      );
    }
    // Stale (its agent died) or unreadable: remove it and try once more.
    fs.rmSync(file, { force: true });
  }
  throw new UsageError(`--buffer-dir ${dir}: cannot take ${file}`);
}

function readOwner(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    // Removed between our create and read: the owner just left.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; ESRCH: gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function releaseLock(file: string): void {
  if (readOwner(file).trim() === String(process.pid)) fs.rmSync(file, { force: true });
}
