import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { spawnTracked, type Spawned, type TrackedOptions } from '../../bench/harness/children';
import { agentEnv } from '../../bench/harness/env';
import { waitFor } from '../../bench/harness/wait';

/** The built CLI, as users and CI run it (`npm test` builds first). */
export const CLI = path.resolve(__dirname, '..', '..', 'dist', 'agent', 'cli', 'main.js');

export function requireBuiltCli(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment every CLI a test starts gets: the caller's, minus its
 * HOSTPULSE_* variables (a developer's exported HOSTPULSE_INTERVAL must not
 * change what a test sees), plus the test's own `extra`.
 */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return agentEnv(extra);
}

/** Run `node dist/agent/cli/main.js ...args` to completion, with cliEnv(env). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: cliEnv(env), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Run with `--output json` and parse stdout; fails with the CLI's stderr when it is not JSON. */
export async function runJson<T>(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; rows: T; stderr: string }> {
  const r = await runCli([...args, '--output', 'json'], env);
  try {
    return { code: r.code, rows: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch (err) {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\nstderr: ${r.stderr}\n${String(err)}`, { cause: err });
  }
}

/** Start the CLI as a tracked child (a daemon, a watch) with cliEnv(opts.env); stop it with `.stop()`. */
export function spawnCli(args: string[], opts: TrackedOptions = {}): Spawned {
  return spawnTracked(process.execPath, [CLI, ...args], { ...opts, env: cliEnv(opts.env) });
}

/**
 * `fleet watch ... --output json` until it printed two refreshes, then Ctrl-C
 * (SIGINT) as a user would: its exit and the second frame, parsed.
 */
export async function watchTwoFrames<T>(
  args: string[],
): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; frame: T; stderr: string }> {
  const w = spawnCli(['fleet', 'watch', ...args, '--output', 'json']);
  const lines = await waitFor('two refreshes', () => {
    const l = w
      .stdout()
      .split('\n')
      .filter((x) => x.endsWith('}'));
    return l.length >= 2 ? l : undefined;
  });
  w.child.kill('SIGINT');
  const exit = await w.exited;
  return { exit, frame: JSON.parse(lines[1]) as T, stderr: w.stderr() };
}
