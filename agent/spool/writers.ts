import * as fs from 'fs';
import * as path from 'path';

export interface WriterScan {
  /** `dev:ino` of the asked-for files that some other process has open for writing. */
  writing: Set<string>;
  /** Processes whose open files could not be read (another user's, without CAP_SYS_PTRACE; hidepid). */
  hidden: number;
}

export const fileKey = (st: { dev: number; ino: number }): string => `${st.dev}:${st.ino}`;

/** O_ACCMODE of an fdinfo `flags:` line (octal): 1 O_WRONLY, 2 O_RDWR. */
export function writesFromFdinfo(text: string): boolean {
  const m = /^flags:\s*([0-7]+)$/m.exec(text);
  return m !== null && (parseInt(m[1], 8) & 3) !== 0;
}

/**
 * Which of `files` (name -> dev:ino) another process holds open for writing,
 * from <procfs>/<pid>/fd and fdinfo. Only an fd whose link ends in one of the
 * names is stat()ed (to compare the inode: a path seen through a bind mount
 * or another mount namespace differs, the inode does not), so a scan costs
 * one readlink per open fd of the host. Processes that exit meanwhile are
 * skipped; those whose fds cannot be read are counted in `hidden`.
 */
export function scanWriters(procfsRoot: string, files: ReadonlyMap<string, string>): WriterScan {
  const out: WriterScan = { writing: new Set(), hidden: 0 };
  const wanted = new Set(files.values());
  const names = [...files.keys()].map((n) => '/' + n);
  for (const pid of fs.readdirSync(procfsRoot)) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const fdDir = path.join(procfsRoot, pid, 'fd');
    let fds: string[];
    try {
      fds = fs.readdirSync(fdDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') out.hidden++;
      else if (code !== 'ENOENT' && code !== 'ESRCH' && code !== 'ENOTDIR') throw err;
      continue;
    }
    for (const fd of fds) {
      const link = readlink(path.join(fdDir, fd));
      if (link === undefined || !names.some((n) => link.endsWith(n))) continue;
      const st = statOrUndefined(path.join(fdDir, fd));
      if (st === undefined || !wanted.has(fileKey(st))) continue;
      const info = readOrUndefined(path.join(procfsRoot, pid, 'fdinfo', fd));
      // No fdinfo (a kernel before 2.6.22): an open fd of the file counts as a writer, to be safe.
      if (info === undefined || writesFromFdinfo(info)) out.writing.add(fileKey(st));
    }
  }
  return out;
}

/** The process or fd went away between the listing and the read: not an error. */
function gone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES';
}

function readlink(p: string): string | undefined {
  try {
    return fs.readlinkSync(p);
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
}

function readOrUndefined(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch (err) {
    if (gone(err)) return undefined;
    throw err;
  }
}
