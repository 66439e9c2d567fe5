import * as fs from 'fs';
import * as path from 'path';
import type { Logger } from '../log';
import type { SpoolFailReason, SpoolMetrics } from '../metrics/spool-metrics';
import { checkExpositionBytes, type SpoolSample } from './check-exposition';
import { isSpoolFile, jobOf } from './file-name';
import { fileKey, scanWriters } from './writers';
import { Arrivals, fingerprint } from './arrivals';

export interface SpoolOptions {
  dir: string;
  /** A file written in place is complete once size and mtime held this long. */
  settleMs: number;
  maxBytes: number;
  procfsRoot: string;
}

/** A complete, valid file waiting for delivery. */
export interface ReadyFile {
  name: string;
  job: string;
  mtimeMs: number;
  /** What it was judged on: dev:ino, size, mtime and ctime in ns. A change sends it back to observation. */
  fingerprint: string;
}

/** A ready file as read for delivery: its text (the Pushgateway's body) and samples (remote write). */
export interface SpoolFileContent extends ReadyFile {
  text: string;
  samples: SpoolSample[];
}

interface Seen {
  fingerprint: string;
  /** performance.now() when this state was first seen. */
  since: number;
}

/**
 * The spool directory: which `*.prom` files are complete, valid and waiting,
 * which are moved to failed/, and the delivered ones deleted. The collector
 * calls look() every cycle; the deliverer, running beside the cycle, takes
 * the ready files oldest first. Synchronous I/O on one local directory.
 *
 * Complete (README, "Spool: when a file is complete"): nobody has it open for
 * writing (as far as /proc shows), and either it was renamed into place —
 * its inode changed after its last write (ctime > mtime), which rename(2)
 * does on Linux filesystems while a write sets both — or its size, mtime and
 * ctime held for --spool-settle.
 */
export class Spool {
  private readonly seen = new Map<string, Seen>();
  /** Ready files by name; a file leaves when delivered, failed, or changed. */
  private readonly ready = new Map<string, ReadyFile>();
  /** Delivered but could not be deleted: not sent again while unchanged. */
  private readonly undeletable = new Set<string>();
  private wake: (() => void) | undefined;
  private hiddenLogged = -1;
  private readonly arrivals: Arrivals;
  readonly failedDir: string;

  constructor(
    readonly opts: SpoolOptions,
    readonly metrics: SpoolMetrics,
    private readonly logger: Logger,
  ) {
    this.failedDir = path.join(opts.dir, 'failed');
    this.arrivals = new Arrivals(opts.dir);
    if (this.arrivals.error !== undefined) {
      logger.warn(
        `spool: cannot watch ${opts.dir} (${this.arrivals.error}): files renamed into place are taken at once only when their ctime shows it, else after --spool-settle`,
      );
    }
  }

  close(): void {
    this.arrivals.close();
  }

  /** One look at the directory: observes, judges, fails what is bad, updates the gauges. Throws when the directory cannot be read. */
  look(now = performance.now()): void {
    const entries = fs.readdirSync(this.opts.dir, { withFileTypes: true });
    /** Spool files still here after this look, with their mtime. */
    const present = new Map<string, number>();
    const candidates = new Map<string, { st: fs.BigIntStats; fingerprint: string }>();
    for (const e of entries) {
      if (!isSpoolFile(e.name)) continue;
      const file = path.join(this.opts.dir, e.name);
      const st = lstat(file);
      if (st === undefined) continue;
      if (!st.isFile()) {
        this.fail(e.name, 'not_regular', 'not a regular file (symlinks and directories are not followed)');
        continue;
      }
      const job = jobOf(e.name);
      if ('error' in job) {
        this.fail(e.name, 'bad_name', job.error);
        continue;
      }
      present.set(e.name, Number(st.mtimeMs));
      const fp = fingerprint(st);
      if (this.ready.get(e.name)?.fingerprint === fp || this.undeletable.has(fp)) continue;
      this.ready.delete(e.name);
      const before = this.seen.get(e.name);
      if (before?.fingerprint !== fp) this.seen.set(e.name, { fingerprint: fp, since: now });
      const since = this.seen.get(e.name)?.since ?? now;
      // Renamed into place: the inode changed after its last write (mv, rsync, tar), or inotify saw it arrive whole.
      const renamed = st.ctimeNs > st.mtimeNs || this.arrivals.renamedInto(e.name, fp);
      if (renamed || now - since >= this.opts.settleMs) candidates.set(e.name, { st, fingerprint: fp });
    }
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
    for (const name of this.ready.keys()) if (!present.has(name)) this.ready.delete(name);

    if (candidates.size > 0) {
      const scan = scanWriters(
        this.opts.procfsRoot,
        new Map([...candidates].map(([name, c]) => [name, fileKey({ dev: Number(c.st.dev), ino: Number(c.st.ino) })])),
      );
      this.logHidden(scan.hidden);
      for (const [name, c] of candidates) {
        if (scan.writing.has(fileKey({ dev: Number(c.st.dev), ino: Number(c.st.ino) }))) continue;
        if (this.judge(name, c.st, c.fingerprint)) present.delete(name);
      }
    }
    this.metrics.pending.set(present.size);
    this.metrics.oldestAge.set(
      present.size === 0
        ? 0
        : Math.max(0, (Date.now() - [...present.values()].reduce((a, b) => Math.min(a, b))) / 1000),
    );
    if (this.ready.size > 0) this.wake?.();
  }

  /** Ready files, oldest first (by mtime, then name): the order they are delivered in. */
  readyFiles(): ReadyFile[] {
    return [...this.ready.values()].sort(
      (a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  }

  /** Resolves when a look finds ready files (at once if there are), or when `signal` aborts. */
  waitReady(signal: AbortSignal): Promise<void> {
    if (this.ready.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done);
    });
  }

  /**
   * A ready file's content for delivery, re-read and checked again; undefined
   * (and back to observation) when it changed since it was judged, or is gone.
   */
  read(file: ReadyFile): SpoolFileContent | undefined {
    const p = path.join(this.opts.dir, file.name);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.ready.delete(file.name);
      return undefined;
    }
    const st = lstat(p);
    const check = checkExpositionBytes(bytes);
    if (st === undefined || fingerprint(st) !== file.fingerprint || !check.ok) {
      this.ready.delete(file.name);
      return undefined;
    }
    return { ...file, text: bytes.toString('utf8'), samples: check.samples };
  }

  /** Delivered (a 2xx): delete it, count it. */
  delivered(file: ReadyFile, target: string): void {
    this.ready.delete(file.name);
    this.seen.delete(file.name);
    this.metrics.delivered.inc();
    try {
      fs.unlinkSync(path.join(this.opts.dir, file.name));
      this.logger.info(`spool: delivered ${file.name} as job ${file.job}, deleted it`, {
        file: file.name,
        job: file.job,
        url: target,
      });
    } catch (err) {
      this.undeletable.add(file.fingerprint);
      this.logger.error(
        `spool: delivered ${file.name} but cannot delete it: ${(err as Error).message} (it is not sent again while unchanged)`,
        { file: file.name },
      );
    }
  }

  /** Moves a file to failed/ with `<name>.error` beside it; never deletes it. */
  fail(name: string, reason: SpoolFailReason, message: string): void {
    this.ready.delete(name);
    this.seen.delete(name);
    // Group-readable under the unit's UMask=0007 (the drop-in): a batch job's owner can read why.
    fs.mkdirSync(this.failedDir, { recursive: true, mode: 0o770 });
    let target = path.join(this.failedDir, name);
    // An earlier failure under the same name is kept too.
    if (fs.existsSync(target))
      target = path.join(this.failedDir, `${name.slice(0, -'.prom'.length)}.${Date.now()}.prom`);
    fs.renameSync(path.join(this.opts.dir, name), target);
    fs.writeFileSync(`${target}.error`, `${message}\n`, { mode: 0o660 });
    this.metrics.failed.inc({ reason });
    this.logger.warn(`spool: ${name} moved to ${path.relative(this.opts.dir, target)}: ${message}`, {
      file: name,
      reason,
    });
  }

  /** Complete: checks size and content; ready, or failed. Returns true when it left the pending set. */
  private judge(name: string, st: fs.BigIntStats, fp: string): boolean {
    if (st.size > BigInt(this.opts.maxBytes)) {
      this.fail(name, 'too_large', `${st.size} bytes, more than --spool-max-bytes ${this.opts.maxBytes}`);
      return true;
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(path.join(this.opts.dir, name));
    } catch (err) {
      // Taken away between the listing and the read: nothing to judge.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw err;
    }
    const check = checkExpositionBytes(bytes);
    if (!check.ok) {
      this.fail(name, 'invalid', `line ${check.line}: ${check.reason}`);
      return true;
    }
    this.ready.set(name, {
      name,
      job: (jobOf(name) as { job: string }).job,
      mtimeMs: Number(st.mtimeMs),
      fingerprint: fp,
    });
    return false;
  }

  private logHidden(hidden: number): void {
    if (hidden === 0 || hidden === this.hiddenLogged) return;
    this.hiddenLogged = hidden;
    this.logger.info(
      `spool: cannot see the open files of ${hidden} processes (other users', without CAP_SYS_PTRACE): a file they write in place is taken once unchanged for --spool-settle`,
      { hidden },
    );
  }
}

function lstat(p: string): fs.BigIntStats | undefined {
  try {
    return fs.lstatSync(p, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
