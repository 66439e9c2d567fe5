import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../errors';
import { acquireBufferLock } from './buffer-lock';
import {
  evictions,
  indexOfSeq,
  type CorruptRequest,
  type NewRequest,
  type QueuedRequest,
  type RequestQueue,
} from './queue';
import { HEADER_BYTES, parseRequestFile, writeRequestFile } from './request-file';

interface Entry extends QueuedRequest {
  file: string;
}

/**
 * --buffer-dir: every request is a file `<seq>-<timestampMs>-<samples>.<suffix>`
 * (`.rw` for remote write in the directory itself, `.txt` for graphite in its `graphite/` subdirectory),
 * deleted once delivered or dropped. A file checks itself (length and CRC-32,
 * request-file.ts) and is fsynced under a temp name, renamed, and the
 * directory fsynced, so a kill -9 or a power cut leaves either the whole file
 * or none. On start the files left behind are taken up again, oldest first,
 * and new ones numbered after them. A file that cannot be read or fails its
 * check is skipped (never blocks the newer ones), deleted, and reported by
 * takeCorrupt().
 */
export class DiskQueue implements RequestQueue {
  private readonly entries: Entry[] = [];
  private readonly unlock: () => void;
  private seq = 0;
  private pinned: number | undefined;
  private readonly name: RegExp;
  private readonly dirFd: number;
  private corrupt: CorruptRequest[] = [];
  bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly suffix = 'rw',
  ) {
    this.name = new RegExp(`^(\\d{16})-(\\d+)-(\\d+)\\.${suffix}$`);
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new UsageError(`--buffer-dir ${dir}: ${(err as Error).message}`);
    }
    this.unlock = acquireBufferLock(dir);
    // Held open to fsync the directory after each rename: the rename itself must reach the disk.
    this.dirFd = fs.openSync(dir, 'r');
    for (const name of fs.readdirSync(dir).sort()) {
      const m = this.name.exec(name);
      const file = path.join(dir, name);
      if (name.endsWith('.tmp')) fs.rmSync(file, { force: true }); // cut short by a kill: never renamed, never sent
      if (!m) continue;
      const st = fs.lstatSync(file);
      if (!st.isFile()) continue; // not a request this queue wrote: left alone
      // The body's bytes, as push() counts them (a legacy file without header counts 12 bytes short).
      const size = Math.max(0, st.size - HEADER_BYTES);
      this.entries.push({ seq: Number(m[1]), timestampMs: Number(m[2]), samples: Number(m[3]), size, file });
      this.bytes += size;
      this.seq = Number(m[1]) + 1;
    }
  }

  get length(): number {
    return this.entries.length;
  }

  push(req: NewRequest): QueuedRequest[] {
    const { from, count } = evictions(this.entries, this.bytes, req.body.length, this.maxBytes, this.pinned);
    const dropped = this.entries.splice(from, count);
    for (const d of dropped) this.drop(d);
    const seq = this.seq++;
    const file = path.join(
      this.dir,
      `${String(seq).padStart(16, '0')}-${req.timestampMs}-${req.samples}.${this.suffix}`,
    );
    writeRequestFile(file, req.body, this.dirFd);
    this.entries.push({ timestampMs: req.timestampMs, samples: req.samples, size: req.body.length, seq, file });
    this.bytes += req.body.length;
    return dropped;
  }

  /** Bodies stay on disk until sent: a full buffer costs disk, not memory. A head that is unreadable or corrupt is skipped. */
  peek(): (QueuedRequest & { body: Buffer }) | undefined {
    for (;;) {
      const e = this.entries[0];
      if (e === undefined) return undefined;
      const read = readRequest(e.file);
      if ('body' in read) return { ...e, body: read.body };
      this.entries.shift();
      this.drop(e);
      this.corrupt.push({
        seq: e.seq,
        timestampMs: e.timestampMs,
        samples: e.samples,
        size: e.size,
        reason: `skipped, not sent: ${read.corrupt}`,
      });
    }
  }

  takeCorrupt(): CorruptRequest[] {
    const out = this.corrupt;
    this.corrupt = [];
    return out;
  }

  oldestTimestampMs(): number | undefined {
    return this.entries[0]?.timestampMs;
  }

  pin(seq: number | undefined): void {
    this.pinned = seq;
  }

  remove(seq: number): boolean {
    if (this.pinned === seq) this.pinned = undefined;
    const i = indexOfSeq(this.entries, seq);
    if (i < 0) return false;
    this.drop(this.entries.splice(i, 1)[0]);
    return true;
  }

  private drop(e: Entry): void {
    this.bytes -= e.size;
    try {
      fs.rmSync(e.file, { force: true });
    } catch (err) {
      // A file that cannot be removed (EACCES, EISDIR, a read-only mount) is out of the queue all the same; said at the next peek.
      this.corrupt.push({
        ...e,
        samples: 0,
        reason: `cannot delete ${path.basename(e.file)}: ${(err as Error).message}`,
      });
    }
  }

  close(): void {
    fs.closeSync(this.dirFd);
    this.unlock();
  }
}

/** A request file's body, or why it cannot be sent: any error of the file system (ENOENT, EACCES, EIO, EISDIR) is one. */
function readRequest(file: string): { body: Buffer } | { corrupt: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw err;
    return { corrupt: `cannot read: ${code}` };
  }
  return parseRequestFile(bytes);
}
