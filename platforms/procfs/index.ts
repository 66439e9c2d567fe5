import * as fs from 'fs';
import * as path from 'path';
import { parseCpuStat } from './cpu-stat';
import { ProcfsHostSampler } from './host-sampler';
import { ProcfsProcessSampler } from './process-sampler';
import { readSysconf } from './sysconf';
import type { SamplerOptions, SamplerPair } from '../types';

/** The Linux samplers. Boot time is read once: process start times are relative to it. */
export function createProcfsSamplers(opts: SamplerOptions): SamplerPair {
  const sys = readSysconf();
  const bootTime = parseCpuStat(fs.readFileSync(path.join(opts.procfsRoot, 'stat'), 'latin1')).bootTime;
  if (bootTime === undefined) throw new Error(`${path.join(opts.procfsRoot, 'stat')} has no btime line`);
  return {
    process: new ProcfsProcessSampler(opts.procfsRoot, sys, bootTime, opts.onError),
    host: new ProcfsHostSampler(opts.procfsRoot, sys, opts.onError),
  };
}

/** The host half alone, for the ps/top process samplers on a Linux with /proc. */
export function createProcfsHostSampler(opts: SamplerOptions): ProcfsHostSampler {
  return new ProcfsHostSampler(opts.procfsRoot, readSysconf(), opts.onError);
}
