import * as fs from 'fs';
import { readSysconf } from '../platforms/procfs/sysconf';

/** The kernel's accounting of one process, read from /proc (what `ps` and pidusage read too). */
const { clockTicks } = readSysconf();

/** user+system CPU of `pid` (all its threads) in milliseconds. Resolution: one clock tick (10 ms). */
export function cpuMs(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

export interface Memory {
  rssMb: number;
  /** High-water mark of the RSS since the process started. */
  peakRssMb: number;
}

export function memory(pid: number): Memory {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    if (!m) throw new Error(`/proc/${pid}/status has no ${key}`);
    return Number(m[1]);
  };
  return { rssMb: round1(kb('VmRSS') / 1024), peakRssMb: round1(kb('VmHWM') / 1024) };
}

/** What each open file descriptor of `pid` points at (`socket:[123]`, `/proc/9/stat`, ...). */
export function fdTargets(pid: number): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.push(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // closed while we looked
      throw err;
    }
  }
  return out;
}

/** Open file descriptors of `pid`, and how many of them are sockets. */
export function descriptors(pid: number): { fds: number; sockets: number } {
  const targets = fdTargets(pid);
  return { fds: targets.length, sockets: targets.filter((t) => t.startsWith('socket:')).length };
}

/** Processes (not threads) on the host now. */
export function countProcesses(): number {
  let n = 0;
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) n++;
  }
  return n;
}

/** Pids whose comm starts with `prefix`. */
export function pidsByCommPrefix(prefix: string): number[] {
  return [...commsByPrefix(prefix).keys()];
}

/** How many processes have each comm that starts with `prefix`, e.g. { hpb1f00: 4, hpb1f01: 3 }. */
export function countByComm(prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const comm of commsByPrefix(prefix).values()) out[comm] = (out[comm] ?? 0) + 1;
  return out;
}

/** pid -> comm of the processes whose comm starts with `prefix`. */
function commsByPrefix(prefix: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 0x30 || c > 0x39) continue;
    let comm: string;
    try {
      comm = fs.readFileSync(`/proc/${name}/comm`, 'latin1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') continue;
      throw err;
    }
    comm = comm.trimEnd();
    if (comm.startsWith(prefix)) out.set(Number(name), comm);
  }
  return out;
}

export function isRunning(pid: number): boolean {
  return fs.existsSync(`/proc/${pid}`);
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
