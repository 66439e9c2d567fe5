import type { PsFlavour } from '../probe';
import { hostSamplerFor } from '../sysinfo/host-for';
import type { SamplerOptions, SamplerPair } from '../types';
import { PsProcessSampler } from './process-sampler';

/** The ps samplers for the flavour selection found; `procfs`: /proc is readable, for the host half. */
export function createPsSamplers(opts: SamplerOptions, flavour: PsFlavour, procfs: boolean): SamplerPair {
  return { process: new PsProcessSampler(opts, { flavour }), host: hostSamplerFor(opts, procfs) };
}
