import type { ProcessSample, SampleErrorSink } from '../types';
import { toSample } from '../command/to-sample';
import { parseCount } from '../command/columns';
import { parseCpuTime } from '../command/cputime';
import { parseSize } from '../command/units';
import { parseTopTable, requireColumns } from './table';

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
    const sample = toSample(parseCount(r.PID), parseCount(r.PPID), r.S, r.COMMAND, {
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
