import type { ProcessSample } from '../../platforms/types';

/**
 * The group of a process: its comm. Linux kernel threads (kthreadd, pid 2,
 * and its children) are the exception: their names carry a CPU and a work
 * item ("kworker/1:0H-events_highpri") that change all the time, which would
 * churn series without end; they group by the name before the '/'.
 */
export function groupKey(p: ProcessSample): string {
  if (p.ppid === 2 || p.pid === 2) {
    const slash = p.comm.indexOf('/');
    if (slash > 0) return p.comm.slice(0, slash);
  }
  return p.comm;
}
