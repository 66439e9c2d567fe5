import * as fs from 'fs';
import { errnoCode } from '../errno';
import { parseKmsgRecords, SeqTracker, type KmsgRecord } from './record';

export const DEFAULT_KMSG_PATH = '/dev/kmsg';

/** A record is at most ~1 KiB of text plus its dictionary; the kernel answers EINVAL if the buffer is too small for one. */
const READ_BUFFER_BYTES = 16 * 1024;

export interface KmsgFollowerEvents {
  /** Records the kernel overwrote before we read them (a sequence-number jump). */
  onLost: (count: number) => void;
  /** A line that is not a kmsg record (handed on detached, to the parser). */
  onMalformed: (line: string) => void;
}

/**
 * Follows the kernel log from the moment it is opened.
 *
 * Each read(2) of /dev/kmsg returns exactly one record; with O_NONBLOCK, EAGAIN
 * says there is nothing more; EPIPE says the next record we would have read
 * was overwritten (the reader moves on to the oldest one left: the sequence
 * jump on the next record tells how many were lost).
 *
 * Skipping history: a fresh open starts at the oldest record in the ring
 * buffer. The kernel's lseek(SEEK_END) would skip it, but Node's fs has no
 * lseek, so `open()` reads and discards everything present (until EAGAIN):
 * at most the ring buffer (log_buf_len, 128 KiB..a few MiB), once. Records
 * arriving during that drain are discarded too; that window is the open
 * itself, before the agent reports anything.
 *
 * The path is configurable for tests: a regular file read the same way
 * yields 0 (end of file) instead of EAGAIN and may hold many records per
 * read; both work.
 */
export class KmsgFollower {
  private readonly buf = Buffer.alloc(READ_BUFFER_BYTES);
  private readonly seq = new SeqTracker();
  private carry = '';

  private constructor(
    private fd: number | undefined,
    private readonly events: KmsgFollowerEvents,
  ) {}

  /** Opens `path` and skips what is in it now. Throws the open error (ENOENT, EACCES, EPERM...). */
  static open(path: string, events: KmsgFollowerEvents): KmsgFollower {
    const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const f = new KmsgFollower(fd, events);
    f.skip();
    return f;
  }

  /** Every record that arrived since the last call, oldest first. Throws on an unexpected read error. */
  read(): KmsgRecord[] {
    const out: KmsgRecord[] = [];
    this.drain((r) => out.push(r));
    return out;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Reads and discards what is there now without parsing it (the whole ring
   * buffer: hundreds of records whose parse would only make garbage at start);
   * keeps the last record's sequence number, so the next read counts a loss
   * from there.
   */
  private skip(): void {
    let complete = '';
    for (let n = this.readChunk(); n > 0; n = this.readChunk()) {
      const text = this.carry + this.buf.toString('utf8', 0, n);
      const cut = text.lastIndexOf('\n');
      this.carry = text.slice(cut + 1);
      if (cut >= 0) complete = text.slice(0, cut + 1);
    }
    const last = parseKmsgRecords(complete).pop();
    if (last) this.seq.next(last.seq);
  }

  /** One read(2): bytes read into `buf`, 0 when there is nothing more (EAGAIN, or a file's end). */
  private readChunk(): number {
    if (this.fd === undefined) return 0;
    for (;;) {
      try {
        return fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'EAGAIN') return 0;
        if (code === 'EPIPE') continue; // overwritten: the seq jump on the next record counts the loss
        throw err;
      }
    }
  }

  private drain(each: (r: KmsgRecord) => void): void {
    for (let n = this.readChunk(); n > 0; n = this.readChunk()) {
      const text = this.carry + this.buf.toString('utf8', 0, n);
      const cut = text.lastIndexOf('\n');
      this.carry = cut < 0 ? text : text.slice(cut + 1);
      for (const r of parseKmsgRecords(cut < 0 ? '' : text.slice(0, cut + 1), this.events.onMalformed)) {
        const lost = this.seq.next(r.seq);
        if (lost > 0) this.events.onLost(lost);
        each(r);
      }
    }
  }
}

/** Why the kernel log cannot be followed here, or undefined when it can (opens and closes it, reads nothing). */
export function kmsgUnavailable(path: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'linux' && path === DEFAULT_KMSG_PATH) return `${path} is Linux only (this is ${platform})`;
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EPERM' || code === 'EACCES') {
      return `cannot open ${path} (${code}): reading the kernel log needs CAP_SYSLOG when kernel.dmesg_restrict=1`;
    }
    if (code === 'ENOENT') return `${path} does not exist`;
    return `cannot open ${path}: ${(err as Error).message}`;
  }
  fs.closeSync(fd);
  return undefined;
}
