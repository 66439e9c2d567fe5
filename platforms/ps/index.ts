import type { PsFlavour } from '../probe';
import type { SamplerOptions } from '../types';
import { PsProcessSampler } from './process-sampler';

/** The ps process sampler for the flavour selection found. */
export function createPsProcessSampler(opts: SamplerOptions, flavour: PsFlavour): PsProcessSampler {
  return new PsProcessSampler(opts, { flavour });
}
