import type { PsFlavour } from '../probe';
import type { SamplerOptions } from '../types';
import { CommandProcessSampler } from '../command/process-sampler';
import { PS_FLAVOURS } from './flavours';

export interface PsSamplerConfig {
  flavour: PsFlavour;
  /** The command to run, before the flavour's arguments; tests pass `['busybox', 'ps']`. */
  command?: readonly string[];
}

/** One `ps` spawn per sample, parsed by the flavour's pure parser. */
export class PsProcessSampler extends CommandProcessSampler {
  constructor(opts: SamplerOptions, config: PsSamplerConfig) {
    super('ps', opts, PS_FLAVOURS[config.flavour], config.command ?? ['ps']);
  }
}
