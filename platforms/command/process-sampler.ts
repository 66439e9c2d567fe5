import { SampleAbortedError } from '../errors';
import type { ProcessField, ProcessSample, ProcessSampler, SamplerOptions } from '../types';
import type { CommandFlavourSpec } from './flavour-spec';
import { CommandError, runCommand, type CommandRunner, type RunResult } from './run-command';

/**
 * A process sampler that spawns one command per sample (`ps` or a batch
 * `top`) through the options' runner and reads its output with the flavour's
 * pure parser. The command's own process is dropped from what it reports.
 */
export class CommandProcessSampler implements ProcessSampler {
  readonly fields: ReadonlySet<ProcessField>;
  private readonly argv: readonly string[];
  private readonly run: CommandRunner;

  constructor(
    readonly name: string,
    private readonly opts: SamplerOptions,
    private readonly spec: CommandFlavourSpec,
    /** The command before the flavour's arguments; tests pass `['busybox', 'ps']`. */
    command: readonly string[],
  ) {
    this.fields = spec.fields;
    this.argv = [...command, ...spec.args];
    this.run = opts.runCommand ?? runCommand;
  }

  /** Nothing is held between samples: each one is a fresh spawn. */
  close(): void {}

  async sample(signal?: AbortSignal): Promise<ProcessSample[]> {
    return this.runOnce(signal);
  }

  /** One run, with `env` added to the agent's environment. */
  protected async runOnce(signal: AbortSignal | undefined, env?: NodeJS.ProcessEnv): Promise<ProcessSample[]> {
    let run: RunResult;
    try {
      run = await this.run(this.argv, { timeoutMs: this.opts.commandTimeoutMs, env, signal });
    } catch (err) {
      throw namingCommand(this.argv, err);
    }
    return this.spec.parse(run.stdout, this.opts.onError).filter((p) => p.pid !== run.pid);
  }
}

/** The runner's rejection as CommandError or SampleAbortedError, whatever runner it came from, naming the command. */
function namingCommand(argv: readonly string[], err: unknown): Error {
  if (err instanceof CommandError || err instanceof SampleAbortedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === 'AbortError') {
    return new SampleAbortedError(`${argv.join(' ')}: ${message}`, { cause: err });
  }
  return new CommandError(argv, message, '');
}
