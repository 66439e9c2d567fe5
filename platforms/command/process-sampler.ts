import type { ProcessField, ProcessSample, ProcessSampler, SamplerOptions } from '../types';
import type { CommandFlavourSpec } from './flavour-spec';
import { runCommand } from './run-command';

/**
 * A process sampler that spawns one command per sample (`ps` or a batch
 * `top`) and reads its output with the flavour's pure parser. The command's
 * own process is dropped from what it reports.
 */
export class CommandProcessSampler implements ProcessSampler {
  readonly fields: ReadonlySet<ProcessField>;
  private readonly argv: readonly string[];

  constructor(
    readonly name: string,
    private readonly opts: SamplerOptions,
    private readonly spec: CommandFlavourSpec,
    /** The command before the flavour's arguments; tests pass `['busybox', 'ps']`. */
    command: readonly string[],
  ) {
    this.fields = spec.fields;
    this.argv = [...command, ...spec.args];
  }

  /** Nothing is held between samples: each one is a fresh spawn. */
  close(): void {}

  async sample(): Promise<ProcessSample[]> {
    return this.runOnce();
  }

  /** One spawn, with `env` added to the agent's environment. */
  protected async runOnce(env?: NodeJS.ProcessEnv): Promise<ProcessSample[]> {
    const run = await runCommand(this.argv, { timeoutMs: this.opts.commandTimeoutMs, env });
    return this.spec.parse(run.stdout, this.opts.onError).filter((p) => p.pid !== run.pid);
  }
}
