import * as fs from 'fs';

/**
 * Synchronous reads into one reused buffer: per design.md, ~3x cheaper than
 * readFileSync and ~20x cheaper than fs.promises for a thousand small files.
 * One instance per sampler; not shared, not re-entrant.
 */
export class ReusedBufferReader {
  readonly buf: Buffer;

  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Reads up to the buffer size; returns the byte count. Throws the fs error (ENOENT, ESRCH, EACCES...). */
  read(path: string): number {
    const fd = fs.openSync(path, 'r');
    try {
      let total = 0;
      for (;;) {
        const n = fs.readSync(fd, this.buf, total, this.buf.length - total, null);
        if (n === 0) return total;
        total += n;
        if (total === this.buf.length) return total;
      }
    } finally {
      fs.closeSync(fd);
    }
  }
}
