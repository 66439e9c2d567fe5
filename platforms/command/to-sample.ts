import type { ProcessSample } from '../types';

/** A sample when pid, ppid and state parsed; measured values that did not parse stay absent. */
export function toSample(
  pid: number | undefined,
  ppid: number | undefined,
  stat: string | undefined,
  comm: string,
  measured: Omit<ProcessSample, 'pid' | 'ppid' | 'comm' | 'state'>,
): ProcessSample | undefined {
  if (pid === undefined || ppid === undefined || stat === undefined || stat === '') return undefined;
  const sample: ProcessSample = { pid, ppid, comm, state: stat[0]! };
  for (const [k, v] of Object.entries(measured) as [keyof typeof measured, number | undefined][]) {
    if (v !== undefined) sample[k] = v;
  }
  return sample;
}
