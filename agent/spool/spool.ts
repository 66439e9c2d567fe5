import * as fs from 'fs';
import * as path from 'path';
import type { Logger } from '../log';
import type { SpoolFailReason, SpoolMetrics } from '../metrics/spool-metrics';
import { checkExpositionBytes, type SpoolSample } from './check-exposition';
import { isSpoolFile, jobOf } from './file-name';
import { fileKey, scanWriters } from './writers';
import { Arrivals, fingerprint } from './arrivals';
import { notRegularMessage, openSpoolFile, readAtMost, readSpoolFile } from './open-spool-file';
import { SpoolSubdir } from './spool-subdir';

export interface SpoolOptions {
  dir: string;
  /** A file written in place is complete once size and mtime held this long. */
  settleMs: number;
  maxBytes: number;
  procfsRoot: string;
  /** The agent's own --job: a file of that job would replace the host's own group, so it is refused. */
  ownJob?: string;
}

/** A complete, valid file waiting for delivery. */
export interface ReadyFile {
  name: string;
  job: string;
  mtimeMs: number;
  /** What it was judged on: dev:ino, size, mtime and ctime in ns. A change sends it back to observation. */
  fingerprint: string;
  /** Taken out of the way into .inflight/ for delivery: a newer file of the same name can arrive meanwhile. */
  inflight?: boolean;
}

/** What a file's content is known by across a rename (which changes its ctime): dev:ino, size, mtime. */
const contentKey = (st: fs.BigIntStats): string => `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;

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
 * Complete (docs/collectors.md, "When is a file complete"): nobody has it open for
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
  /** Files taken into .inflight/ for delivery, by name: delivered before anything newer. */
  private readonly inflight = new Map<string, ReadyFile>();
  /** Bad files that could not be moved to failed/, by name -> fingerprint: left alone, logged once while unchanged. */
  private readonly leftAlone = new Map<string, string>();
  private hiddenLogged = -1;
  private readonly arrivals: Arrivals;
  private readonly failed: SpoolSubdir;
  private readonly inflightDir: SpoolSubdir;
  /** Why .inflight/ cannot be used (files are then delivered in place, deleted only while still the same inode); logged once. */
  private inflightError: string | undefined;
  /** The file being delivered in place, when .inflight/ cannot be used: refused, it is moved only while still the same inode. */
  private inPlace: ReadyFile | undefined;
  readonly failedDir: string;

  constructor(
    readonly opts: SpoolOptions,
    readonly metrics: SpoolMetrics,
    private readonly logger: Logger,
  ) {
    this.failed = new SpoolSubdir(opts.dir, 'failed', 0o770);
    this.failedDir = this.failed.path;
    // Private: only the agent reads or changes a file in flight.
    this.inflightDir = new SpoolSubdir(opts.dir, '.inflight', 0o700);
    this.arrivals = new Arrivals(opts.dir);
    this.recoverInflight();
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
      if (this.leftAlone.get(e.name) === fingerprint(st)) continue;
      if (!st.isFile()) {
        this.failEntry(e.name, st, 'not_regular', notRegularMessage(st));
        continue;
      }
      const job = this.jobOf(e.name);
      if ('error' in job) {
        this.failEntry(e.name, st, 'bad_name', job.error);
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
    for (const f of this.inflight.values()) present.set(`.inflight/${f.name}`, f.mtimeMs);
    this.metrics.pending.set(present.size);
    this.metrics.oldestAge.set(
      present.size === 0
        ? 0
        : Math.max(0, (Date.now() - [...present.values()].reduce((a, b) => Math.min(a, b))) / 1000),
    );
    if (this.ready.size > 0 || this.inflight.size > 0) this.wake?.();
  }

  /** Ready files, oldest first (by mtime, then name): the order they are delivered in; one in flight before all. */
  readyFiles(): ReadyFile[] {
    const order = (a: ReadyFile, b: ReadyFile): number =>
      a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return [...[...this.inflight.values()].sort(order), ...[...this.ready.values()].sort(order)];
  }

  /** Resolves when a look finds ready files (at once if there are), or when `signal` aborts. */
  waitReady(signal: AbortSignal): Promise<void> {
    if (this.ready.size > 0 || this.inflight.size > 0 || signal.aborted) return Promise.resolve();
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
   * A ready file's content for delivery, read again (without following links,
   * without blocking) and checked again, after taking it out of the way into
   * .inflight/: a newer file renamed in under the same name during a slow
   * delivery is a new file, never deleted unsent. Undefined (and back to
   * observation) when it changed since it was judged, or is gone.
   */
  read(file: ReadyFile): SpoolFileContent | undefined {
    if (file.inflight === true) return this.readInflight(file);
    const o = openSpoolFile(path.join(this.opts.dir, file.name));
    if ('gone' in o) {
      this.forget(file);
      return undefined;
    }
    if ('bad' in o) {
      this.failEntry(file.name, lstat(path.join(this.opts.dir, file.name)), 'not_regular', o.message);
      return undefined;
    }
    try {
      const bytes = readAtMost(o.fd, this.opts.maxBytes);
      const check = checkExpositionBytes(bytes);
      // Swapped or changed since it was judged, or while read: judged again at the next look.
      if (
        fingerprint(o.st) !== file.fingerprint ||
        contentKey(fs.fstatSync(o.fd, { bigint: true })) !== contentKey(o.st) ||
        bytes.length > this.opts.maxBytes ||
        !check.ok
      ) {
        this.ready.delete(file.name);
        return undefined;
      }
      const taken = this.take(file, o.st);
      return taken === undefined ? undefined : { ...taken, text: bytes.toString('utf8'), samples: check.samples };
    } finally {
      fs.closeSync(o.fd);
    }
  }

  /** A file already in .inflight/ (a retry, or left by an agent that stopped): only the agent writes there, so what is there is judged now, whole. */
  private readInflight(file: ReadyFile): SpoolFileContent | undefined {
    const r = readSpoolFile(this.pathOf(file), this.opts.maxBytes);
    if ('gone' in r) {
      this.forget(file);
      return undefined;
    }
    if ('bad' in r) {
      this.fail(file.name, 'not_regular', r.message);
      return undefined;
    }
    if (r.bytes.length > this.opts.maxBytes) {
      this.fail(file.name, 'too_large', `more than --spool-max-bytes ${this.opts.maxBytes}`);
      return undefined;
    }
    const check = checkExpositionBytes(r.bytes);
    if (!check.ok) {
      this.fail(file.name, 'invalid', `line ${check.line}: ${check.reason}`);
      return undefined;
    }
    return { ...file, text: r.bytes.toString('utf8'), samples: check.samples };
  }

  /** Delivered (a 2xx): delete it, count it. */
  delivered(file: ReadyFile, target: string): void {
    const taken = this.inflight.get(file.name) ?? file;
    this.inPlace = undefined;
    this.forget(taken);
    this.metrics.delivered.inc();
    try {
      if (taken.inflight !== true && !this.sameInode(taken)) {
        this.logger.info(`spool: delivered ${file.name}; a newer file took its name meanwhile and stays`, {
          file: file.name,
        });
        return;
      }
      fs.unlinkSync(this.pathOf(taken));
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

  /** Moves a file (the one in flight under `name`, else the spool's) to failed/ with `<name>.error` beside it; never deletes it. */
  fail(name: string, reason: SpoolFailReason, message: string): void {
    const taken = this.inflight.get(name);
    if (taken !== undefined) {
      this.forget(taken);
      this.moveToFailed(name, path.join(this.inflightDir.path, name), undefined, reason, message);
      return;
    }
    const inPlace = this.inPlace;
    this.inPlace = undefined;
    if (inPlace?.name === name && !this.sameInode(inPlace)) {
      // Delivered in place (no .inflight/) and refused: a newer file took its name meanwhile and is not the one refused.
      this.forget(inPlace);
      this.logger.warn(`spool: ${name} was refused (${message}); a newer file took its name meanwhile and stays`, {
        file: name,
        reason,
      });
      return;
    }
    this.failEntry(name, lstat(path.join(this.opts.dir, name)), reason, message);
  }

  /** A bad file of the spool directory itself, as lstat() saw it. */
  private failEntry(name: string, st: fs.BigIntStats | undefined, reason: SpoolFailReason, message: string): void {
    this.ready.delete(name);
    this.seen.delete(name);
    if (st === undefined) return; // gone meanwhile
    this.moveToFailed(name, path.join(this.opts.dir, name), fingerprint(st), reason, message);
  }

  private moveToFailed(
    name: string,
    from: string,
    fp: string | undefined,
    reason: SpoolFailReason,
    message: string,
  ): void {
    const moved = this.failed.with((base) => {
      // An earlier failure under the same name is kept too.
      const free = (t: string): boolean =>
        !existsNoFollow(path.join(base, t)) && !existsNoFollow(path.join(base, `${t}.error`));
      let target = name;
      for (let i = 0; !free(target); i++)
        target = `${name.slice(0, -'.prom'.length)}.${Date.now()}${i === 0 ? '' : `-${i}`}.prom`;
      fs.renameSync(from, path.join(base, target));
      writeNew(path.join(base, `${target}.error`), `${message}\n`);
      return target;
    });
    if ('error' in moved) {
      if (fp !== undefined && this.leftAlone.get(name) === fp) return;
      if (fp !== undefined) this.leftAlone.set(name, fp);
      this.logger.error(`spool: ${name} is bad (${message}) but stays where it is: ${moved.error}`, {
        file: name,
        reason,
      });
      return;
    }
    this.leftAlone.delete(name);
    this.metrics.failed.inc({ reason });
    this.logger.warn(`spool: ${name} moved to failed/${moved.ok}: ${message}`, { file: name, reason });
  }

  /**
   * Takes a read file into .inflight/ (or, when that cannot be used, leaves it
   * in place); undefined when it went away, or when what was moved is not the
   * inode that was read (a swap in between: it is put back, unless a newer
   * file took the name meanwhile).
   */
  private take(file: ReadyFile, read: fs.BigIntStats): ReadyFile | undefined {
    const from = path.join(this.opts.dir, file.name);
    const moved = this.inflightDir.with((base) => {
      const to = path.join(base, file.name);
      try {
        fs.renameSync(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
        throw err;
      }
      const st = fs.lstatSync(to, { bigint: true });
      if (st.dev === read.dev && st.ino === read.ino) return 'taken';
      try {
        fs.linkSync(to, from);
        fs.unlinkSync(to);
        return 'put back';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        return 'kept'; // two swaps at once: it stays in flight and is judged there, whole
      }
    });
    if ('error' in moved) {
      if (this.inflightError !== moved.error)
        this.logger.error(
          `spool: cannot take files out of the way for delivery (${moved.error}); delivering in place, a file is deleted only while it is the one sent`,
        );
      this.inflightError = moved.error;
      this.inPlace = file;
      return file;
    }
    this.ready.delete(file.name);
    this.seen.delete(file.name);
    if (moved.ok === 'gone' || moved.ok === 'put back') return undefined;
    const st = lstat(path.join(this.inflightDir.path, file.name));
    const taken = { ...file, fingerprint: st === undefined ? file.fingerprint : fingerprint(st), inflight: true };
    this.inflight.set(file.name, taken);
    return moved.ok === 'taken' ? taken : undefined;
  }

  /** Files left in .inflight/ by an agent that stopped mid-delivery: delivered first (a PUT is idempotent). */
  private recoverInflight(): void {
    if (!this.inflightDir.exists()) return;
    const found = this.inflightDir.with((base) => fs.readdirSync(base));
    if ('error' in found) {
      this.logger.error(`spool: cannot recover files in flight: ${found.error}`);
      return;
    }
    for (const name of found.ok) {
      const st = lstat(path.join(this.inflightDir.path, name));
      const job = this.jobOf(name);
      if (st === undefined || !st.isFile() || !isSpoolFile(name) || 'error' in job) {
        this.logger.warn(`spool: .inflight/${name} is not a spool file in flight: left alone`, { file: name });
        continue;
      }
      this.inflight.set(name, {
        name,
        job: job.job,
        mtimeMs: Number(st.mtimeMs),
        fingerprint: fingerprint(st),
        inflight: true,
      });
    }
  }

  private pathOf(file: ReadyFile): string {
    return path.join(file.inflight === true ? this.inflightDir.path : this.opts.dir, file.name);
  }

  /** Delivered in place: its name still names the inode that was sent. */
  private sameInode(file: ReadyFile): boolean {
    const st = lstat(this.pathOf(file));
    return st !== undefined && `${st.dev}:${st.ino}` === file.fingerprint.split(':').slice(0, 2).join(':');
  }

  private forget(file: ReadyFile): void {
    if (file.inflight === true) this.inflight.delete(file.name);
    else {
      this.ready.delete(file.name);
      this.seen.delete(file.name);
    }
  }

  /** The job of a file name, refusing the agent's own. */
  private jobOf(name: string): { job: string } | { error: string } {
    const job = jobOf(name);
    if ('job' in job && this.opts.ownJob !== undefined && job.job === this.opts.ownJob) {
      return {
        error: `job ${JSON.stringify(job.job)} is the agent's own --job: delivering it would replace this host's own group (and the next cycle would wipe it). Give the batch job another name`,
      };
    }
    return job;
  }

  /** Complete: checks size and content; ready, or failed. Returns true when it left the pending set. */
  private judge(name: string, st: fs.BigIntStats, fp: string): boolean {
    if (st.size > BigInt(this.opts.maxBytes)) {
      this.failEntry(name, st, 'too_large', `${st.size} bytes, more than --spool-max-bytes ${this.opts.maxBytes}`);
      return true;
    }
    const r = readSpoolFile(path.join(this.opts.dir, name), this.opts.maxBytes);
    // Taken away between the listing and the read: nothing to judge.
    if ('gone' in r) return true;
    if ('bad' in r) {
      this.failEntry(name, lstat(path.join(this.opts.dir, name)), 'not_regular', r.message);
      return true;
    }
    // Swapped since the look (another inode, or changed): judged again at the next look.
    if (fingerprint(r.st) !== fp) return false;
    if (r.bytes.length > this.opts.maxBytes) {
      this.failEntry(name, r.st, 'too_large', `more than --spool-max-bytes ${this.opts.maxBytes}`);
      return true;
    }
    const bytes = r.bytes;
    const check = checkExpositionBytes(bytes);
    if (!check.ok) {
      this.failEntry(name, r.st, 'invalid', `line ${check.line}: ${check.reason}`);
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

/** Whether anything (a symlink included, never followed) is at `p`. */
function existsNoFollow(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Writes a new file, never through a link planted under its name (O_EXCL|O_NOFOLLOW). */
function writeNew(p: string, text: string): void {
  const fd = fs.openSync(
    p,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o660, // group-readable under the unit's UMask=0007: a batch job's owner can read why
  );
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}
