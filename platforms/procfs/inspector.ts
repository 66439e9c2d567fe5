import * as fs from 'fs';
import { errnoCode, readErrorReason } from '../errno';
import { WholeFileReader } from '../whole-file';
import { parseCgroup } from './parse-cgroup';
import { parseIo, parseMaxOpenFiles, parseSmapsRollup } from './parse-detail';
import { parseCmdline, parseStatusRealUid } from './parse-status';
import type { ProcessCgroup, ProcessInspector, SampleErrorSink } from '../types';

/** The process has gone (or its pid was never there): no problem, no value. */
const VANISHED = new Set(['ENOENT', 'ESRCH']);

/**
 * ProcessInspector over `<root>/<pid>/…`. Plain readFileSync: it runs only for
 * processes new since the last cycle (the callers cache per pid and start
 * time) or for the few exported ones, never for every process every cycle.
 */
export class ProcfsInspector implements ProcessInspector {
  /** Grows when a file (a long command line) does not fit. */
  private readonly file = new WholeFileReader(16 * 1024);

  /** Whether `root` is a real procfs mount (statfs magic), where fd/'s size counts its entries. */
  private readonly procfs: boolean;

  constructor(
    private readonly root: string,
    private readonly onError: SampleErrorSink,
  ) {
    this.procfs = isProcfs(root);
  }

  cgroup(pid: number): ProcessCgroup | undefined {
    const text = this.read(pid, 'cgroup');
    return text === undefined ? undefined : parseCgroup(text);
  }

  realUid(pid: number): number | undefined {
    const text = this.read(pid, 'status');
    if (text === undefined) return undefined;
    const uid = parseStatusRealUid(text);
    if (uid === undefined) this.onError('malformed_status', `${pid}/status has no Uid line`);
    return uid;
  }

  cmdline(pid: number): string | undefined {
    const text = this.read(pid, 'cmdline');
    return text === undefined ? undefined : parseCmdline(text);
  }

  memoryDetail(pid: number): { pssBytes: number; ussBytes: number } | undefined {
    const text = this.read(pid, 'smaps_rollup');
    if (text === undefined) return undefined;
    const mem = parseSmapsRollup(text);
    // Empty for kernel threads (no memory map): nothing to report, not a problem.
    if (mem === undefined && text.trim() !== '')
      this.onError('malformed_smaps_rollup', `${pid}/smaps_rollup has no Pss or Private lines`);
    return mem;
  }

  io(pid: number): { readBytes: number; writeBytes: number } | undefined {
    const text = this.read(pid, 'io');
    if (text === undefined) return undefined;
    const io = parseIo(text);
    if (io === undefined) this.onError('malformed_io', `${pid}/io has no read_bytes or write_bytes line`);
    return io;
  }

  /**
   * Since Linux 6.2 stat() of a procfs fd/ directory reports the open fds as
   * its size, without listing them (a third of the cost for a process with
   * ~50 fds). Older kernels report 0, and a fixture tree is an ordinary
   * directory: both are listed. stat() needs no permission on the directory,
   * so access() checks first that we may list it: another user's count stays
   * absent (permission_denied) without CAP_SYS_PTRACE, on every kernel alike.
   */
  openFds(pid: number): number | undefined {
    return this.attempt(pid, 'fd', () => {
      const dir = `${this.root}/${pid}/fd`;
      if (this.procfs) {
        fs.accessSync(dir, fs.constants.R_OK);
        const size = fs.statSync(dir).size;
        if (size > 0) return size;
      }
      return fs.readdirSync(dir).length;
    });
  }

  maxFds(pid: number): number | undefined {
    const text = this.read(pid, 'limits');
    if (text === undefined) return undefined;
    const max = parseMaxOpenFiles(text);
    if (max === undefined) this.onError('malformed_limits', `${pid}/limits has no Max open files line`);
    return max ?? undefined;
  }

  /**
   * The file's text, or undefined (vanished: silently; unreadable: reported).
   * Through one reused buffer (WholeFileReader), which counts for
   * --process-detail's reads every cycle.
   */
  read(pid: number, file: string): string | undefined {
    return this.attempt(pid, file, () => {
      const n = this.file.read(`${this.root}/${pid}/${file}`);
      return this.file.buf.toString('utf8', 0, n);
    });
  }

  /** `op`'s result, or undefined when it failed (vanished: silently; unreadable: reported under `file`). */
  private attempt<T>(pid: number, file: string, op: () => T): T | undefined {
    try {
      return op();
    } catch (err) {
      const code = errnoCode(err);
      if (code !== undefined && VANISHED.has(code)) return undefined;
      this.onError(readErrorReason(code), `${pid}/${file}: ${(err as Error).message}`);
      return undefined;
    }
  }
}

const PROC_SUPER_MAGIC = 0x9fa0;

function isProcfs(root: string): boolean {
  try {
    return fs.statfsSync(root).type === PROC_SUPER_MAGIC;
  } catch (err) {
    // Only an optimisation: a root that cannot be statfs'd (absent yet) is listed the portable way.
    if (errnoCode(err) === undefined) throw err;
    return false;
  }
}
