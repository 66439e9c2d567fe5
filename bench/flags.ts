import * as fs from 'fs';
import * as path from 'path';
import type { Argv } from 'yargs';
import { parseDuration } from '../agent/config/duration';
import { EXIT_USAGE, UsageError } from '../agent/errors';

/**
 * What the benchmark entry points (`npm run bench`, `npm run fleet-sim`) share about
 * their flags, so a flag means one thing in both: `--json` prints the JSON record on
 * stdout instead of the human summary (as `hostpulse fleet -o json` does), and
 * `--json-file PATH` also writes it to a file. Every flag is checked before any
 * process, receiver or simulated host is started; a bad one exits 2.
 */
export function withJsonOptions<T>(y: Argv<T>) {
  return y.options({
    json: {
      type: 'boolean',
      default: false,
      describe: 'print the JSON record on stdout instead of the human summary (progress stays on stderr)',
    },
    'json-file': {
      type: 'string',
      requiresArg: true,
      describe: 'also write the JSON record to this file (its directory must exist)',
    },
  } as const);
}

/**
 * yargs' fail handler for a benchmark: the message and the usage hint on stderr, exit 2
 * (yargs' own default exits 1, the code a benchmark uses for "ran, and missed the bar").
 */
export function exitOnUsage(tool: string): (msg: string | null, err: Error | null) => never {
  return (msg, err) => {
    const text = msg ?? err?.message ?? 'bad flags';
    // `--json out.json` was the simulator's spelling of what is now --json-file: strict() reads the file as a stray word.
    const hint = /^Unknown arguments?:.*\.json\b/.test(text) ? ' (to write the JSON to a file: --json-file PATH)' : '';
    process.stderr.write(`${tool}: ${text}${hint}\n${tool}: see --help\n`);
    process.exit(EXIT_USAGE);
  };
}

/** The checks yargs' types do not make. Each throws a UsageError naming the flag. */
export function wholeNumber(flag: string, v: number | undefined, min: number): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min))
    throw new UsageError(`--${flag}: expected a whole number >= ${min}, got ${String(v)}`);
}

export function nonNegativeNumber(flag: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isFinite(v) || v < 0))
    throw new UsageError(`--${flag}: expected a number >= 0, got ${String(v)}`);
}

/** A duration flag; `allowZero` for waits that may be off ("0s"). */
export function durationMs(flag: string, text: string, allowZero = false): number {
  const v = parseDuration(text);
  if (v === undefined || v < 0 || (v === 0 && !allowZero))
    throw new UsageError(`--${flag}: "${text}" is not a duration (examples: 1s, 15s, 10m)`);
  return v;
}

export function httpUrl(flag: string, text: string | undefined): void {
  if (text === undefined) return;
  if (!URL.canParse(text) || !/^https?:$/.test(new URL(text).protocol))
    throw new UsageError(`--${flag}: "${text}" is not an http:// or https:// URL`);
}

/** --json-file: fail now, not after a run of minutes, when the file cannot be written. */
export function writableFile(flag: string, file: string | undefined): void {
  if (file === undefined) return;
  if (file === '') throw new UsageError(`--${flag}: expected a file name`);
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (err) {
    throw new UsageError(`--${flag}: cannot write into ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`--${flag}: ${file} is a directory`);
}
