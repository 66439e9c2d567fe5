import * as fs from 'fs';

/** statfs(2)'s f_type of procfs (PROC_SUPER_MAGIC in linux/magic.h). */
const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * Whole small files read again and again (the host's /proc files, every cycle):
 * each stays open and is re-read from offset 0 into one reused buffer that
 * doubles when a file does not fit. procfs renders the text afresh on every
 * read from 0, so a cycle costs one pread per file instead of
 * open+fstat+read+close and a buffer per file (readFileSync). A read that fails
 * on a kept descriptor closes it and opens the path afresh once. Only files on
 * procfs are kept: a regular file (a captured tree given as --procfs-root) can
 * be replaced under its name, and a kept descriptor would read the old one for
 * ever, so those are opened on every read.
 */
export class KeptWholeFiles {
  private buf: Buffer;
  private readonly fds = new Map<string, number>();

  constructor(initialBytes: number) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /** The whole of `file` as latin1 text. Throws the open or read error. */
  read(file: string): string {
    const kept = this.fds.get(file);
    if (kept !== undefined) {
      try {
        return this.readAt(kept);
      } catch {
        this.fds.delete(file);
        fs.closeSync(kept);
      }
    }
    const fd = fs.openSync(file, 'r');
    let keep = false;
    try {
      const text = this.readAt(fd);
      keep = onProcfs(file);
      if (keep) this.fds.set(file, fd);
      return text;
    } finally {
      if (!keep) fs.closeSync(fd);
    }
  }

  /** Closes every kept file. */
  close(): void {
    this.fds.forEach((fd) => fs.closeSync(fd));
    this.fds.clear();
  }

  /** procfs (and a regular file) reads short only at the end: one pread per file when it fits. */
  private readAt(fd: number): string {
    let total = 0;
    for (;;) {
      const want = this.buf.length - total;
      const n = fs.readSync(fd, this.buf, total, want, total);
      total += n;
      if (n < want) return this.buf.toString('latin1', 0, total);
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, total);
      this.buf = bigger;
    }
  }
}

function onProcfs(file: string): boolean {
  try {
    return fs.statfsSync(file).type === PROC_SUPER_MAGIC;
  } catch {
    return false;
  }
}
