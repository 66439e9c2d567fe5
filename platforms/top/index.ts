import type { TopFlavour } from '../probe';
import { hostSamplerFor } from '../sysinfo/host-for';
import type { SamplerOptions, SamplerPair } from '../types';
import { TopProcessSampler } from './process-sampler';

/** The top samplers for the flavour selection found; `procfs`: /proc is readable, for the host half. */
export function createTopSamplers(opts: SamplerOptions, flavour: TopFlavour, procfs: boolean): SamplerPair {
  return { process: new TopProcessSampler(opts, { flavour }), host: hostSamplerFor(opts, procfs) };
}
