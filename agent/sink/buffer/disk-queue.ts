import * as fs from 'fs';
import * as path from 'path';
import { UsageError } from '../../errors';
import { acquireBufferLock } from './buffer-lock';
import { evictions, indexOfSeq, type NewRequest, type QueuedRequest, type RequestQueue } from './queue';

interface Entry extends QueuedRequest {
  file: string;
}

/**
 * --buffer-dir: every request is a file `<seq>-<timestampMs>-<samples>.<suffix>`
 * (`.rw` for remote write in the directory itself, `.txt` for graphite in its `graphite/` subdirectory)
 * (written to a temp name, then renamed, so a kill -9 leaves either the whole
 * file or none), deleted once delivered or dropped. On start the files left
 * behind are taken up again, oldest first, and new ones numbered after them.
 */
export class DiskQueue implements RequestQueue {
  private readonly entries: Entry[] = [];
  private readonly unlock: () => void;
  private seq = 0;
  private pinned: number | undefined;
  private readonly name: RegExp;
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
    for (const name of fs.readdirSync(dir).sort()) {
      const m = this.name.exec(name);
      const file = path.join(dir, name);
      if (name.endsWith('.tmp')) fs.rmSync(file, { force: true }); // cut short by a kill: never renamed, never sent
      if (!m) continue;
      const size = fs.statSync(file).size;
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
    fs.writeFileSync(file + '.tmp', req.body);
    fs.renameSync(file + '.tmp', file);
    this.entries.push({ timestampMs: req.timestampMs, samples: req.samples, size: req.body.length, seq, file });
    this.bytes += req.body.length;
    return dropped;
  }

  /** Bodies stay on disk until sent: a full buffer costs disk, not memory. */
  peek(): (QueuedRequest & { body: Buffer }) | undefined {
    const e = this.entries[0];
    return e === undefined ? undefined : { ...e, body: fs.readFileSync(e.file) };
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
    fs.rmSync(e.file, { force: true });
  }

  close(): void {
    this.unlock();
  }
}
