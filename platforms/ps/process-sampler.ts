import type { PsFlavour } from '../probe';
import type { ProcessField, ProcessSampler, SamplerOptions, ProcessSample } from '../types';
import { PS_FLAVOURS, type PsFlavourSpec } from './flavours';
import { runCommand } from './run-command';

export interface PsSamplerConfig {
  flavour: PsFlavour;
  /** The command to run, before the flavour's arguments; tests pass `['busybox', 'ps']`. */
  command?: readonly string[];
}

/** One `ps` spawn per sample, parsed by the flavour's pure parser. */
export class PsProcessSampler implements ProcessSampler {
  readonly name = 'ps';
  readonly fields: ReadonlySet<ProcessField>;
  private readonly spec: PsFlavourSpec;
  private readonly argv: readonly string[];

  constructor(
    private readonly opts: SamplerOptions,
    config: PsSamplerConfig,
  ) {
    this.spec = PS_FLAVOURS[config.flavour];
    this.fields = this.spec.fields;
    this.argv = [...(config.command ?? ['ps']), ...this.spec.args];
  }

  /** Nothing is held between samples: each one is a fresh spawn. */
  close(): void {}

  async sample(): Promise<ProcessSample[]> {
    const run = await runCommand(this.argv, { timeoutMs: this.opts.commandTimeoutMs });
    return this.spec.parse(run.stdout, this.opts.onError).filter((p) => p.pid !== run.pid);
  }
}
