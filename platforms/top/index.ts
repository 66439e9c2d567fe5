import type { PlatformProbe } from '../probe';
import { UnsupportedSamplerError } from '../errors';
import { hostSamplerFor } from '../sysinfo/host-for';
import type { SamplerOptions, SamplerPair } from '../types';
import { TopProcessSampler } from './process-sampler';

export { TopProcessSampler };

/** The top samplers for the flavour the probe found. */
export function createTopSamplers(opts: SamplerOptions, probe: PlatformProbe): SamplerPair {
  if (!probe.top) throw new UnsupportedSamplerError('sampler top: no supported top command answered on this host');
  return { process: new TopProcessSampler(opts, { flavour: probe.top }), host: hostSamplerFor(opts, probe) };
}
