import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TopFlavour } from '../probe';
import { CommandProcessSampler } from '../command/process-sampler';
import type { ProcessSample, SamplerOptions } from '../types';
import { TOP_FLAVOURS } from './flavours';
import { procpsToprc } from './toprc';

export interface TopSamplerConfig {
  flavour: TopFlavour;
  /** The command to run, before the flavour's arguments; tests pass `['busybox', 'top']`. */
  command?: readonly string[];
}

/** One batch `top` frame per sample, parsed by the flavour's pure parser. */
export class TopProcessSampler extends CommandProcessSampler {
  private readonly needsToprc: boolean;

  constructor(opts: SamplerOptions, config: TopSamplerConfig) {
    const spec = TOP_FLAVOURS[config.flavour];
    super('top', opts, spec, config.command ?? ['top']);
    this.needsToprc = spec.needsToprc;
  }

  override async sample(signal?: AbortSignal): Promise<ProcessSample[]> {
    if (!this.needsToprc) return this.runOnce(signal);
    const home = writeToprcHome();
    try {
      return await this.runOnce(signal, { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }
}

/**
 * procps top reads its columns from a toprc: a private HOME holding ours, made
 * per run (top reads it at start-up; a few small file operations) so nothing is
 * left behind when the agent is killed.
 */
function writeToprcHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-top-'));
  fs.mkdirSync(path.join(home, '.config', 'procps'), { recursive: true });
  fs.writeFileSync(path.join(home, '.config', 'procps', 'toprc'), procpsToprc());
  return home;
}
