import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TopFlavour } from '../probe';
import { runCommand } from '../ps/run-command';
import type { ProcessField, ProcessSampler, SamplerOptions, ProcessSample } from '../types';
import { TOP_FLAVOURS, type TopFlavourSpec } from './flavours';
import { procpsToprc } from './toprc';

export interface TopSamplerConfig {
  flavour: TopFlavour;
  /** The command to run, before the flavour's arguments; tests pass `['busybox', 'top']`. */
  command?: readonly string[];
}

/** One batch `top` frame per sample, parsed by the flavour's pure parser. */
export class TopProcessSampler implements ProcessSampler {
  readonly name = 'top';
  readonly fields: ReadonlySet<ProcessField>;
  private readonly spec: TopFlavourSpec;
  private readonly argv: readonly string[];

  constructor(
    private readonly opts: SamplerOptions,
    config: TopSamplerConfig,
  ) {
    this.spec = TOP_FLAVOURS[config.flavour];
    this.fields = this.spec.fields;
    this.argv = [...(config.command ?? ['top']), ...this.spec.args];
  }

  /** Nothing is held between samples: each one is a fresh spawn. */
  close(): void {}

  async sample(): Promise<ProcessSample[]> {
    const home = this.spec.needsToprc ? writeToprcHome() : undefined;
    try {
      const env = home === undefined ? undefined : { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
      const run = await runCommand(this.argv, { timeoutMs: this.opts.commandTimeoutMs, env });
      return this.spec.parse(run.stdout, this.opts.onError).filter((p) => p.pid !== run.pid);
    } finally {
      if (home) fs.rmSync(home, { recursive: true, force: true });
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
