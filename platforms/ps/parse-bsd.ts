import type { ProcessSample, SampleErrorSink } from '../types';
import { toSample } from '../command/to-sample';
import { parseCount, splitColumns } from '../command/columns';
import { parseCpuTime } from '../command/cputime';
import { parseKiB } from '../command/units';

/**
 * BSD and macOS `ps -ax -o pid=,ppid=,rss=,vsz=,time=,state=,comm=`: sizes in
 * KiB, time `mm:ss.ss`. No thread count column common to macOS and the BSDs.
 */
export const BSD_PS_ARGS = ['-ax', '-o', 'pid=,ppid=,rss=,vsz=,time=,state=,comm='] as const;

export function parseBsdPs(text: string, onError: SampleErrorSink): ProcessSample[] {
  const out: ProcessSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const row = splitColumns(line, 6);
    const [pid, ppid, rss, vsz, time, state] = row?.cols ?? [];
    const sample =
      row &&
      toSample(parseCount(pid), parseCount(ppid), state, commName(row.rest), {
        rssBytes: parseKiB(rss),
        vszBytes: parseKiB(vsz),
        cpuTotalSeconds: parseCpuTime(time),
      });
    if (sample) out.push(sample);
    else onError('ps_malformed_line', line);
  }
  return out;
}

/** macOS prints the executable's full path as comm; the BSDs print the name. */
function commName(comm: string): string {
  return comm.startsWith('/') ? comm.slice(comm.lastIndexOf('/') + 1) || comm : comm;
}
