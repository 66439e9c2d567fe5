import * as fs from 'fs';

/**
 * Whole small files read again and again (the host's /proc files, every cycle):
 * each stays open and is re-read from offset 0 into one reused buffer that
 * doubles when a file does not fit. procfs renders the text afresh on every
 * read from 0, so a cycle costs one pread per file instead of
 * open+fstat+read+close and a buffer per file (readFileSync). A read that fails
 * on a kept descriptor closes it and opens the path afresh once.
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
    try {
      const text = this.readAt(fd);
      this.fds.set(file, fd);
      return text;
    } catch (err) {
      fs.closeSync(fd);
      throw err;
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
