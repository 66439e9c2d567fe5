import * as fs from 'fs';
import * as path from 'path';
import { findMemoryHierarchy } from '../../platforms/cgroup/reader';
import { spawnTracked, waitFor, type Spawned } from './processes';

/** The cgroup v1 memory hierarchy of the test machines. */
export const MEMCG_ROOT = '/sys/fs/cgroup/memory';

/** Why real v1 memory cgroups cannot be made here, or undefined when they can. */
export function memcgV1Unavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (creating a memory cgroup needs it)';
  if (!fs.existsSync(path.join(MEMCG_ROOT, 'memory.limit_in_bytes')))
    return `no cgroup v1 memory controller at ${MEMCG_ROOT}`;
  try {
    fs.accessSync(MEMCG_ROOT, fs.constants.W_OK);
  } catch (err) {
    return `${MEMCG_ROOT} is not writable: ${(err as Error).message}`;
  }
  return undefined;
}

/** Creates `<root>/<rel>` (and its parents) with a hard limit on the leaf and no swap escape. */
export function makeMemcg(rel: string, limitBytes: number): string {
  const dir = path.join(MEMCG_ROOT, rel);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'memory.limit_in_bytes'), String(limitBytes));
  fs.writeFileSync(path.join(dir, 'memory.swappiness'), '0');
  const memsw = path.join(dir, 'memory.memsw.limit_in_bytes');
  if (fs.existsSync(memsw)) fs.writeFileSync(memsw, String(limitBytes));
  return dir;
}

/** Removes cgroup directories, deepest first; a killed child may hold one for a moment (EBUSY). */
export async function removeMemcgs(dirs: readonly string[]): Promise<void> {
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    if (!fs.existsSync(dir)) continue;
    await waitFor(
      `cgroup ${dir} removed`,
      () => {
        try {
          fs.rmdirSync(dir);
          return true;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'EBUSY') return undefined;
          if (code === 'ENOENT') return true;
          throw err;
        }
      },
      15000,
      100,
    );
  }
}

/**
 * A python3 child in the cgroup `dir` that allocates 1 MiB at a time until
 * the cgroup's usage reaches `fraction` of its limit, prints `ready`, and on
 * a `fill` line on stdin allocates without end (the kernel OOM-kills it).
 */
export async function startFiller(dir: string, fraction: number): Promise<Spawned & { fill(): void }> {
  const script = `import sys
d = ${JSON.stringify(dir)}
limit = int(open(d + '/memory.limit_in_bytes').read())
b = []
while int(open(d + '/memory.usage_in_bytes').read()) < ${fraction} * limit:
    b.append(bytearray(1 << 20))
print('ready', flush=True)
for line in sys.stdin:
    if line.strip() == 'fill':
        while True:
            b.append(bytearray(1 << 20))`;
  // sh joins the cgroup, then execs python3 in its place (same pid).
  const child = spawnTracked('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && exec python3 -c "$0"`, script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await waitFor(
    `filler in ${dir}`,
    () => {
      if (child.stdout().includes('ready')) return true;
      if (child.child.exitCode !== null) throw new Error(`filler exited: ${child.stderr()}`);
      return undefined;
    },
    30000,
    50,
  );
  return Object.assign(child, { fill: () => void child.child.stdin?.write('fill\n') });
}

/**
 * For the tests that run every dashboard query on a live store: the agent
 * flags that add the cgroups collector where there is a memory controller,
 * a cgroup with a limit (v1, as root) so the "Memory limits" row has a limit
 * to show, and which cgroup queries may stay empty here (PSI is v2 only).
 */
export function dashboardCgroups(tag: string): {
  agentArgs: string[];
  mayBeEmpty: (promql: string) => boolean;
  remove: () => Promise<void>;
} {
  const hierarchy = findMemoryHierarchy();
  if (hierarchy === undefined) {
    console.warn('no cgroup memory controller: the "Memory limits" dashboard row is not checked against data');
    return { agentArgs: [], mayBeEmpty: (q) => q.includes('hostpulse_cgroup_'), remove: () => Promise.resolve() };
  }
  const why = memcgV1Unavailable();
  if (why) console.warn(`no cgroup with a limit made (${why}): the cgroup limit panels may be empty`);
  const slice = `hp-dash-${tag}-${process.pid}.slice`;
  const dirs = why ? [] : [path.join(MEMCG_ROOT, slice), makeMemcg(`${slice}/limited.service`, 256 * 1024 * 1024)];
  return {
    agentArgs: ['--collectors', '+cgroups'],
    mayBeEmpty: (q) =>
      (hierarchy.version === 1 && q.includes('hostpulse_cgroup_memory_pressure')) ||
      (why !== undefined && q.includes('hostpulse_cgroup_memory_limit')),
    remove: () => removeMemcgs(dirs),
  };
}
