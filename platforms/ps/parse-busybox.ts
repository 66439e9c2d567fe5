import type { ProcessSample, SampleErrorSink } from '../types';
import { toSample } from '../command/to-sample';
import { parseCount, splitColumns } from '../command/columns';
import { parseSize } from '../command/units';

/**
 * busybox `ps -o pid=,ppid=,vsz=,rss=,stat=,comm=`. busybox's `-o` knows only
 * user,group,comm,args,pid,ppid,pgid,nice,rgroup,ruser,tty,vsz,sid,stat,rss:
 * no CPU time, no thread count. Sizes are KiB up to 9999, else scaled and
 * truncated to 4 characters (`42m`, `1.2g`): at 1.29 GiB busybox prints
 * `1.2g`, so large values lose up to a tenth of their unit.
 */
export const BUSYBOX_PS_ARGS = ['-o', 'pid=,ppid=,vsz=,rss=,stat=,comm='] as const;

export function parseBusyboxPs(text: string, onError: SampleErrorSink): ProcessSample[] {
  const out: ProcessSample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const row = splitColumns(line, 5);
    const [pid, ppid, vsz, rss, stat] = row?.cols ?? [];
    const sample =
      row &&
      toSample(parseCount(pid), parseCount(ppid), stat, row.rest, {
        rssBytes: parseSize(rss),
        vszBytes: parseSize(vsz),
      });
    if (sample) out.push(sample);
    else onError('ps_malformed_line', line);
  }
  return out;
}
