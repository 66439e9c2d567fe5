import { execFile, type ExecFileException } from 'child_process';
import { SampleAbortedError } from '../errors';

export interface RunOptions {
  /** The child is killed (SIGKILL) after this many milliseconds. */
  timeoutMs: number;
  /** Extra environment on top of this process's (LC_ALL=C is always set). */
  env?: NodeJS.ProcessEnv;
  /** When it aborts, the child is killed (SIGKILL) at once and the run rejects with SampleAbortedError. */
  signal?: AbortSignal;
}

export interface RunResult {
  stdout: string;
  /** The command's own pid: ps and top list themselves, and the samplers drop that row. */
  pid: number | undefined;
}

/**
 * How the ps and top samplers run their command: `runCommand` for real, a
 * replay of captured output in tests. Rejects with CommandError on failure,
 * SampleAbortedError when `opts.signal` aborts.
 */
export type CommandRunner = (argv: readonly string[], opts: RunOptions) => Promise<RunResult>;

/** A ps/top run that failed: the command, and why (exit code, timeout, spawn error). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(argv: readonly string[], message: string, stderr: string) {
    super(`${argv.join(' ')}: ${message}${stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : ''}`);
  }
}

/** Largest stdout accepted: a few thousand processes fit well within it. */
const MAX_STDOUT = 16 * 1024 * 1024;

/**
 * One spawn, argv array (no shell), C locale so numbers and headers are the
 * ones the parsers expect. Settles only once the child has exited, so after a
 * timeout or an abort no child is left behind.
 */
export const runCommand: CommandRunner = (argv, opts) => {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('runCommand: empty argv'));
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(aborted(argv, signal));
  return new Promise((resolve, reject) => {
    let abortedBy: AbortSignal | undefined;
    // execFile's own `signal` option would kill with SIGTERM (it ignores killSignal): abort by hand.
    const onAbort = (): void => {
      abortedBy = signal;
      child.kill('SIGKILL');
    };
    const child = execFile(
      file,
      args,
      {
        env: { ...process.env, ...opts.env, LC_ALL: 'C' },
        timeout: opts.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_STDOUT,
        encoding: 'utf8',
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        signal?.removeEventListener('abort', onAbort);
        if (abortedBy) reject(aborted(argv, abortedBy));
        else if (err) reject(new CommandError(argv, failure(err, opts.timeoutMs), stderr));
        else resolve({ stdout, pid: child.pid });
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
};

function aborted(argv: readonly string[], signal: AbortSignal): SampleAbortedError {
  return new SampleAbortedError(`${argv.join(' ')}: aborted`, { cause: signal.reason });
}

function failure(err: ExecFileException, timeoutMs: number): string {
  if (err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return `printed more than ${MAX_STDOUT} bytes (killed)`;
  if (err.killed) return `timed out after ${timeoutMs} ms (killed)`;
  return err.message.split('\n')[0] ?? 'failed';
}
