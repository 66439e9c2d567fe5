import * as fs from 'fs';
import * as path from 'path';

const O_DIR = fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW;
/** Linux: a path through an open directory's fd names that directory, whatever its name points at meanwhile. */
const PROC_FD = fs.existsSync('/proc/self/fd') ? '/proc/self/fd' : undefined;

/**
 * A directory of the agent's inside the spool (`failed/`, `.inflight/`).
 * The spool is writable by the batch jobs' group, so its entry could be
 * swapped for a symlink at any moment: the directory is opened without
 * following links, checked to be a real directory of the agent's user, and
 * used through its fd (/proc/self/fd/N/<name>), so a swap between the check
 * and the use cannot redirect a write.
 */
export class SpoolSubdir {
  readonly path: string;

  constructor(
    spoolDir: string,
    readonly name: string,
    private readonly mode: number,
    private readonly uid = process.getuid?.() ?? 0,
  ) {
    this.path = path.join(spoolDir, name);
  }

  /** Runs `use` with a base path for entries of the directory (made if missing); or returns why it cannot be used. */
  with<T>(use: (base: string) => T): { ok: T } | { error: string } {
    let fd: number;
    try {
      fd = this.open();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ELOOP' || code === 'ENOTDIR')
        return { error: `${this.path} is not a directory (a symlink or a file): not followed` };
      if (code === 'EACCES' || code === 'EPERM') return { error: `${this.path}: ${(err as Error).message}` };
      throw err;
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isDirectory()) return { error: `${this.path} is not a directory` };
      if (st.uid !== this.uid)
        return { error: `${this.path} belongs to uid ${st.uid}, not to the agent (uid ${this.uid})` };
      return { ok: use(PROC_FD === undefined ? this.path : `${PROC_FD}/${fd}`) };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Whether the directory exists (as anything: a planted symlink counts). */
  exists(): boolean {
    try {
      fs.lstatSync(this.path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private open(): number {
    try {
      return fs.openSync(this.path, O_DIR);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    try {
      fs.mkdirSync(this.path, { mode: this.mode });
    } catch (err) {
      // Made meanwhile (by us elsewhere, or planted): the open below judges what is there.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return fs.openSync(this.path, O_DIR);
  }
}
