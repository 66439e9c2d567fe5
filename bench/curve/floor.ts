import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnTracked } from '../harness/children';
import { round1, round2 } from '../proc-stat';
import type { Cost, Tool } from './record';
import { REPO_ROOT } from './repo';

/** The floor's source, in the repository (not copied into dist/). */
export const FLOOR_SOURCE = path.join(REPO_ROOT, 'bench', 'floor', 'proc-floor.c');

/** How the floor is built: optimised as a C agent would ship, warnings on. */
export function floorBuildCommand(cc: string, source: string, out: string): { cmd: string; args: string[] } {
  return { cmd: cc, args: ['-O2', '-Wall', '-Wextra', '-o', out, source] };
}

/** `cc` on PATH (or $CC), with the first line of its --version; undefined when there is none. */
export function findCompiler(env: NodeJS.ProcessEnv = process.env): { cc: string; version: string } | undefined {
  const cc = env.CC || 'cc';
  let out: string;
  try {
    out = execFileSync(cc, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { cc, version: out.split('\n')[0].trim() };
}

export const FLOOR_NO_CC = 'no C compiler (cc, or $CC) on PATH: the C floor is skipped (apt-get install gcc)';

/** Builds the floor into a temporary directory; its path and the compiler, or why there is no floor. */
export function buildFloor(): { bin: string; tool: Tool } {
  const found = findCompiler();
  if (!found) return { bin: '', tool: { missing: FLOOR_NO_CC } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-bench-floor-'));
  const bin = path.join(dir, 'proc-floor');
  const { cmd, args } = floorBuildCommand(found.cc, FLOOR_SOURCE, bin);
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  return { bin, tool: { version: found.version } };
}

export interface FloorLine {
  cycles: number;
  cpuUs: number;
  rssKb: number;
  pids: number;
}

/** "cycles=50 cpu_us=61234 rss_kb=1432 pids=1001", the floor's one line of output. */
export function parseFloorLine(text: string): FloorLine {
  const m = /^cycles=(\d+) cpu_us=(\d+) rss_kb=(-?\d+) pids=(\d+)$/m.exec(text);
  if (!m) throw new Error(`the C floor printed no result line: ${JSON.stringify(text.slice(0, 200))}`);
  const [cycles, cpuUs, rssKb, pids] = m.slice(1).map(Number);
  if (cycles === 0) throw new Error('the C floor measured 0 cycles');
  return { cycles, cpuUs, rssKb, pids };
}

/** CPU per cycle (ms) and RSS (MB) from the floor's line. */
export function floorCost(l: FloorLine): Cost {
  return { cpuMs: round2(l.cpuUs / 1000 / l.cycles), rssMb: round1(l.rssKb / 1024) };
}

/** Runs the built floor for `warmup` + `cycles` cycles, `intervalMs` apart, as the agent runs. */
export async function measureFloor(bin: string, warmup: number, cycles: number, intervalMs: number): Promise<Cost> {
  const child = spawnTracked(bin, [String(warmup), String(cycles), String(intervalMs)], { group: true });
  // 'close', not 'exit': the result line may still be in the pipe when the process has exited.
  const closed = new Promise<void>((resolve) => child.child.on('close', () => resolve()));
  const { code, signal } = await child.exited;
  await closed;
  await child.stop();
  if (code !== 0) throw new Error(`the C floor exited ${code ?? signal}: ${child.stderr()}`);
  return floorCost(parseFloorLine(child.stdout()));
}
