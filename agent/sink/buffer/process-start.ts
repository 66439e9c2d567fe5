import * as fs from 'fs';
import * as path from 'path';

/**
 * The start time of `pid` in clock ticks since boot (field 22 of
 * /proc/<pid>/stat, counted after the last `)`: comm may hold spaces and
 * parentheses), as text; undefined when there is no such process or no /proc.
 * (pid, start time) names one process: pids are reused, start times are not.
 */
export function processStartTicks(pid: number, procfsRoot = '/proc'): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(procfsRoot, String(pid), 'stat'), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return undefined;
    throw err;
  }
  // After "pid (comm) ": field 3 (state) is index 0, so field 22 is index 19.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const start = fields[19];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}
