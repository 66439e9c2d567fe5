import * as fs from 'fs';
import { spawnTracked, Spawned, waitFor } from './processes';

/**
 * A real child process holding `mib` MiB of touched memory, with a known comm
 * (process.title sets it through prctl; the kernel keeps 15 bytes).
 */
export async function startMemoryChild(mib: number, title: string): Promise<Spawned> {
  const code = `process.title = ${JSON.stringify(title)};
const b = Buffer.alloc(${mib} * 1024 * 1024, 1);
console.log('ready', b.length);
setInterval(() => b[0]++, 1000);`;
  const child = spawnTracked(process.execPath, ['-e', code]);
  await waitFor(`memory child ${title}`, () => (child.stdout().includes('ready') ? true : undefined), 30000, 50);
  return child;
}

/** VmRSS of a pid from /proc/<pid>/status, in bytes: the kernel's own figure to compare with. */
export function vmRssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}
