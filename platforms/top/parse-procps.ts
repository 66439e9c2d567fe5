import type { ProcessSample, SampleErrorSink } from '../types';
import { toSample } from '../ps/command-sample';
import { parseCount } from '../ps/columns';
import { parseCpuTime } from '../ps/cputime';
import { parseSize } from '../ps/units';
import { parseTopTable } from './table';

/**
 * procps-ng `top -b -n 1 -w 512 -E k -e k` with hostpulse's toprc (columns
 * PID PPID RES VIRT TIME+ nTH S COMMAND). Memory is KiB, but a value wider
 * than its column (RES above 999999 KiB) is still scaled: `1.5g`, rounded to
 * one decimal. TIME+ is `m:ss.hh`.
 */
export const PROCPS_TOP_ARGS = ['-b', '-n', '1', '-w', '512', '-E', 'k', '-e', 'k'] as const;

export function parseProcpsTop(text: string, onError: SampleErrorSink): ProcessSample[] {
  const table = parseTopTable(text, onError);
  requireColumns('procps top', table?.columns, ['PID', 'PPID', 'S', 'COMMAND']);
  const out: ProcessSample[] = [];
  for (const r of table!.rows) {
    const time = r['TIME+'] ?? r['TIME'];
    const sample = toSample(parseCount(r.PID!), parseCount(r.PPID!), r.S, r.COMMAND!, {
      rssBytes: r.RES === undefined ? undefined : parseSize(r.RES),
      vszBytes: r.VIRT === undefined ? undefined : parseSize(r.VIRT),
      cpuTotalSeconds: time === undefined ? undefined : parseCpuTime(time),
      threads: r.nTH === undefined ? undefined : parseCount(r.nTH),
    });
    if (sample) out.push(sample);
    else onError('top_malformed_line', Object.values(r).join(' '));
  }
  return out;
}

/** A top whose table lacks the columns the parser needs is misconfigured, not a transient: throw. */
export function requireColumns(what: string, columns: string[] | undefined, needed: string[]): void {
  if (!columns) throw new Error(`${what}: no process table (no header line with PID and COMMAND) in its output`);
  const missing = needed.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new Error(`${what}: process table lacks column(s) ${missing.join(', ')} (header: ${columns.join(' ')})`);
  }
}
