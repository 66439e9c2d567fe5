import type { ProcessSample } from '../types';

/**
 * A sample when pid and ppid parsed and the row has a state column (a row
 * without one is cut short; the state itself is not kept). Measured values
 * that did not parse stay absent.
 */
export function toSample(
  pid: number | undefined,
  ppid: number | undefined,
  state: string | undefined,
  comm: string,
  measured: Omit<ProcessSample, 'pid' | 'ppid' | 'comm'>,
): ProcessSample | undefined {
  if (pid === undefined || ppid === undefined || state === undefined || state === '') return undefined;
  const sample: ProcessSample = { pid, ppid, comm };
  for (const [k, v] of Object.entries(measured) as [keyof typeof measured, number | undefined][]) {
    if (v !== undefined) sample[k] = v;
  }
  return sample;
}
