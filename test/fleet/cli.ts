import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The built CLI, as users and CI run it. */
export const CLI = path.resolve(__dirname, '../../dist/agent/cli/main.js');

export function requireBuiltCli(): void {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment minus HOSTPULSE_* so a developer's settings cannot change what a test sees. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOSTPULSE_')) env[k] = v;
  return { ...env, ...extra };
}

/** Run `node dist/agent/cli/main.js ...args` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: cleanEnv(env), timeout: 30000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run and parse stdout as JSON; fails with the CLI's stderr when it is not JSON. */
export async function runJson<T>(args: string[], env: Record<string, string> = {}): Promise<{ code: number; rows: T; stderr: string }> {
  const r = await runCli([...args, '--output', 'json'], env);
  try {
    return { code: r.code, rows: JSON.parse(r.stdout) as T, stderr: r.stderr };
  } catch (err) {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\nstderr: ${r.stderr}\n${String(err)}`);
  }
}
