import type { TopFlavour } from '../probe';
import type { SamplerOptions } from '../types';
import { TopProcessSampler } from './process-sampler';

/** The top process sampler for the flavour selection found. */
export function createTopProcessSampler(opts: SamplerOptions, flavour: TopFlavour): TopProcessSampler {
  return new TopProcessSampler(opts, { flavour });
}
