import * as fs from 'fs';
import * as path from 'path';
import { parseCpuStat } from './cpu-stat';
import { ProcfsHostSampler } from './host-sampler';
import { ProcfsInspector } from './inspector';
import { ProcfsProcessSampler } from './process-sampler';
import { readSysconf } from './sysconf';
import type { SamplerOptions } from '../types';

/** The Linux process sampler. Boot time is read once: process start times are relative to it. */
export function createProcfsProcessSampler(opts: SamplerOptions): ProcfsProcessSampler {
  const bootTime = parseCpuStat(fs.readFileSync(path.join(opts.procfsRoot, 'stat'), 'latin1')).bootTime;
  if (bootTime === undefined) throw new Error(`${path.join(opts.procfsRoot, 'stat')} has no btime line`);
  return new ProcfsProcessSampler(opts.procfsRoot, readSysconf(), bootTime, opts.onError);
}

/** The Linux host sampler; also the host half of ps/top on a Linux with /proc. */
export function createProcfsHostSampler(opts: SamplerOptions): ProcfsHostSampler {
  return new ProcfsHostSampler(opts.procfsRoot, readSysconf(), opts.onError);
}

/** Per-process lookups (cgroup, uid, command line, detail files) for grouping and the exported pids. */
export function createProcfsInspector(opts: SamplerOptions): ProcfsInspector {
  return new ProcfsInspector(opts.procfsRoot, opts.onError);
}
