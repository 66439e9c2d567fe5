import type { ProcessSample, SampleErrorSink } from '../types';
import { toSample } from '../command/to-sample';
import { parseCount, splitColumns } from '../command/columns';
import { parseCpuTime } from '../command/cputime';
import { parseKiB } from '../command/units';

/** procps-ng `ps -e -o pid=,ppid=,rss=,vsz=,time=,nlwp=,stat=,comm=`: sizes in KiB, time `[[dd-]hh:]mm:ss`. */
export const PROCPS_PS_ARGS = ['-e', '-o', 'pid=,ppid=,rss=,vsz=,time=,nlwp=,stat=,comm='] as const;

export function parseProcpsPs(text: string, onError: SampleErrorSink): ProcessSample[] {
  const out: ProcessSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const row = splitColumns(line, 7);
    const [pid, ppid, rss, vsz, time, nlwp, stat] = row?.cols ?? [];
    const sample =
      row &&
      toSample(parseCount(pid), parseCount(ppid), stat, row.rest, {
        rssBytes: parseKiB(rss),
        vszBytes: parseKiB(vsz),
        cpuTotalSeconds: parseCpuTime(time),
        threads: parseCount(nlwp),
      });
    if (sample) out.push(sample);
    else onError('ps_malformed_line', line);
  }
  return out;
}
