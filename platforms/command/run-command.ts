import { execFile } from 'child_process';

export interface RunOptions {
  timeoutMs: number;
  /** Extra environment on top of this process's (LC_ALL=C is always set). */
  env?: NodeJS.ProcessEnv;
  /** Largest stdout accepted; a few thousand processes fit well within the default. */
  maxBuffer?: number;
}

/** A ps/top run that failed: the command, and why (exit code, signal on timeout, spawn error). */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: readonly string[],
    message: string,
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')}: ${message}${stderr.trim() ? `: ${stderr.trim().slice(0, 300)}` : ''}`);
  }
}

export interface RunResult {
  stdout: string;
  /** The command's own pid: ps and top list themselves, and the samplers drop that row. */
  pid: number | undefined;
}

/**
 * One spawn, argv array (no shell), C locale so numbers and headers are the
 * ones the parsers expect.
 */
export function runCommand(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('runCommand: empty argv'));
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: { ...process.env, ...opts.env, LC_ALL: 'C' },
        timeout: opts.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024,
        encoding: 'utf8',
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (err) {
          const how = err.killed ? `killed after ${opts.timeoutMs} ms` : err.message.split('\n')[0] ?? 'failed';
          reject(new CommandError(argv, how, stderr));
          return;
        }
        resolve({ stdout, pid: child.pid });
      },
    );
  });
}
