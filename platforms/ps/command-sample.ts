import type { ProcessSample } from '../types';

/**
 * What ps and top can report beyond ProcessSample: most of them print only the
 * total CPU time (user + system), with no split. It is kept here, apart from
 * cpuUserSeconds/cpuSystemSeconds, so it is never passed off as user time.
 * The samplers do not declare the 'cpu' field for it; the agent core can map
 * cpuTotalSeconds once ProcessSample carries it.
 */
export interface CommandProcessSample extends ProcessSample {
  /** Cumulative user + system CPU seconds, at the resolution the command prints. */
  cpuTotalSeconds?: number;
}

/** A sample when pid, ppid and state parsed; measured values that did not parse stay absent. */
export function toSample(
  pid: number | undefined,
  ppid: number | undefined,
  stat: string | undefined,
  comm: string,
  measured: Omit<CommandProcessSample, 'pid' | 'ppid' | 'comm' | 'state'>,
): CommandProcessSample | undefined {
  if (pid === undefined || ppid === undefined || stat === undefined || stat === '') return undefined;
  const sample: CommandProcessSample = { pid, ppid, comm, state: stat[0]! };
  for (const [k, v] of Object.entries(measured) as [keyof typeof measured, number | undefined][]) {
    if (v !== undefined) sample[k] = v;
  }
  return sample;
}
