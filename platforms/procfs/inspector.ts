import * as fs from 'fs';
import { errnoCode, readErrorReason } from '../errno';
import { parseCgroup } from './parse-cgroup';
import { parseIo, parseMaxOpenFiles, parseSmapsRollup } from './parse-detail';
import { parseCmdline, parseStatusRealUid } from './parse-status';
import type { DetailKind, ProcessCgroup, ProcessDetail, ProcessInspector, SampleErrorSink } from '../types';

/** The process has gone (or its pid was never there): no problem, no value. */
const VANISHED = new Set(['ENOENT', 'ESRCH']);

/**
 * ProcessInspector over `<root>/<pid>/…`. Plain readFileSync: it runs only for
 * processes new since the last cycle (the callers cache per pid and start
 * time) or for the few exported ones, never for every process every cycle.
 */
export class ProcfsInspector implements ProcessInspector {
  constructor(
    private readonly root: string,
    private readonly onError: SampleErrorSink,
  ) {}

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

  detail(pid: number, kinds: ReadonlySet<DetailKind>): ProcessDetail {
    const d: ProcessDetail = {};
    if (kinds.has('pss')) {
      const text = this.read(pid, 'smaps_rollup');
      const mem = text === undefined ? undefined : parseSmapsRollup(text);
      // Empty for kernel threads and zombies (no memory map): no series, not a problem.
      if (mem === undefined && text !== undefined && text.trim() !== '') this.onError('malformed_smaps_rollup', `${pid}/smaps_rollup has no Pss or Private lines`);
      if (mem !== undefined) {
        d.pssBytes = mem.pssBytes;
        d.ussBytes = mem.ussBytes;
      }
    }
    if (kinds.has('io')) {
      const text = this.read(pid, 'io');
      const io = text === undefined ? undefined : parseIo(text);
      if (io === undefined && text !== undefined) this.onError('malformed_io', `${pid}/io has no read_bytes or write_bytes line`);
      if (io !== undefined) {
        d.ioReadBytes = io.readBytes;
        d.ioWriteBytes = io.writeBytes;
      }
    }
    if (kinds.has('fds')) {
      d.openFds = this.attempt(pid, 'fd', () => fs.readdirSync(`${this.root}/${pid}/fd`).length);
      const text = this.read(pid, 'limits');
      const max = text === undefined ? undefined : parseMaxOpenFiles(text);
      if (max === undefined && text !== undefined) this.onError('malformed_limits', `${pid}/limits has no Max open files line`);
      if (typeof max === 'number') d.maxFds = max;
    }
    return d;
  }

  /** The file's text, or undefined (vanished: silently; unreadable: reported). */
  read(pid: number, file: string): string | undefined {
    return this.attempt(pid, file, () => fs.readFileSync(`${this.root}/${pid}/${file}`, 'utf8'));
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
