import type { ProcessSample, SampleErrorSink } from '../types';
import { toSample } from '../command/to-sample';
import { parseCount } from '../command/columns';
import { parseSize } from '../command/units';
import { parseTopTable, requireColumns } from './table';

/**
 * busybox `top -b -n 1`: PID PPID USER STAT VSZ %VSZ [CPU] %CPU COMMAND.
 * VSZ in KiB (scaled `2503m` when wide), no RSS, no CPU time, no threads.
 */
export const BUSYBOX_TOP_ARGS = ['-b', '-n', '1'] as const;

export function parseBusyboxTop(text: string, onError: SampleErrorSink): ProcessSample[] {
  const table = parseTopTable(text, onError);
  requireColumns('busybox top', table?.columns, ['PID', 'PPID', 'STAT', 'COMMAND']);
  const out: ProcessSample[] = [];
  for (const r of table!.rows) {
    const sample = toSample(parseCount(r.PID), parseCount(r.PPID), r.STAT, busyboxComm(r.COMMAND), {
      vszBytes: r.VSZ === undefined ? undefined : parseSize(r.VSZ),
    });
    if (sample) out.push(sample);
    else onError('top_malformed_line', Object.values(r).join(' '));
  }
  return out;
}

/**
 * busybox top prints the command line, never comm alone: `[comm]` for a
 * kernel thread, `{comm} argv...` when comm is not argv[0]'s basename, else
 * argv... (busybox read_cmdline). Only the name is kept: command lines carry
 * secrets. In the last case comm is argv[0]'s basename, cut to the kernel's
 * 15 characters.
 */
export function busyboxComm(command: string): string {
  const bracketed = /^\[(.*)\]$/.exec(command) ?? /^\{(.*?)\}(?: |$)/.exec(command);
  if (bracketed) return bracketed[1];
  const argv0 = command.split(' ')[0];
  const base = argv0.slice(argv0.lastIndexOf('/') + 1).replace(/^-/, '');
  return base.slice(0, 15);
}
