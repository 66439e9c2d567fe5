import type { ProcessSample, SampleErrorSink } from '../types';
import { toSample } from '../command/to-sample';
import { parseCount } from '../command/columns';
import { parseCpuTime } from '../command/cputime';
import { parseSize } from '../command/units';
import { parseTopTable, requireColumns } from './table';

/**
 * macOS `top -l 1 -stats pid,ppid,vsize,time,threads,state,command`. macOS top
 * has no RSS column (MEM is the physical footprint, a different quantity), so
 * this flavour measures virtual size, total CPU time and threads. Sizes carry
 * a unit (`9441K`, `1238M`, `19G`, `0B`) and may end in `+`/`-`; `N/A` where
 * top may not look (VSIZE for other users' processes). COMMAND is cut to the
 * column width top gives it.
 */
export const MACOS_TOP_ARGS = ['-l', '1', '-stats', 'pid,ppid,vsize,time,threads,state,command'] as const;

export function parseMacosTop(text: string, onError: SampleErrorSink): ProcessSample[] {
  const table = parseTopTable(text, onError);
  requireColumns('macOS top', table?.columns, ['PID', 'PPID', 'STATE', 'COMMAND']);
  const out: ProcessSample[] = [];
  for (const r of table!.rows) {
    const vsize = r.VSIZE ?? r.VSIZ;
    const sample = toSample(parseCount(r.PID), parseCount(r.PPID), r.STATE, r.COMMAND, {
      vszBytes: vsize === undefined ? undefined : parseSize(vsize, 1),
      cpuTotalSeconds: r.TIME === undefined ? undefined : parseCpuTime(r.TIME),
      // `#TH` is `total/running` while some thread runs.
      threads: r['#TH'] === undefined ? undefined : parseCount(r['#TH'].split('/')[0]),
    });
    if (sample) out.push(sample);
    else onError('top_malformed_line', Object.values(r).join(' '));
  }
  return out;
}
