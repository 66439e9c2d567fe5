import { createProcfsHostSampler } from '../procfs';
import type { HostSampler, SamplerOptions } from '../types';
import { SysinfoHostSampler } from './host-sampler';

/**
 * The host sampler that goes with the ps and top process samplers: procfs
 * where /proc is readable (Linux: cheaper, and it has OOM kills and PSI),
 * systeminformation elsewhere.
 */
export function hostSamplerFor(opts: SamplerOptions, procfs: boolean): HostSampler {
  return procfs ? createProcfsHostSampler(opts) : new SysinfoHostSampler();
}
