import * as fs from 'fs';
import { errnoCode, readErrorReason } from '../errno';
import { parseCgroup } from './parse-cgroup';
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

  /** The file's text, or undefined (vanished: silently; unreadable: reported). */
  read(pid: number, file: string): string | undefined {
    try {
      return fs.readFileSync(`${this.root}/${pid}/${file}`, 'utf8');
    } catch (err) {
      const code = errnoCode(err);
      if (code !== undefined && VANISHED.has(code)) return undefined;
      this.onError(readErrorReason(code), `${pid}/${file}: ${(err as Error).message}`);
      return undefined;
    }
  }
}
