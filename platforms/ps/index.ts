import type { PlatformProbe } from '../probe';
import { UnsupportedSamplerError } from '../errors';
import { hostSamplerFor } from '../sysinfo/host-for';
import type { SamplerOptions, SamplerPair } from '../types';
import { PsProcessSampler } from './process-sampler';

export { PsProcessSampler };

/** The ps samplers for the flavour the probe found. */
export function createPsSamplers(opts: SamplerOptions, probe: PlatformProbe): SamplerPair {
  if (!probe.ps) throw new UnsupportedSamplerError('sampler ps: no ps command answered on this host');
  return { process: new PsProcessSampler(opts, { flavour: probe.ps }), host: hostSamplerFor(opts, probe) };
}
