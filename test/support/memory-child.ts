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

/**
 * A memory child (as startMemoryChild) that also takes commands on stdin, one
 * per line, and answers each on stdout once done: `open N` opens N more files
 * (under `dir`) and keeps them open -> `opened N`; `write BYTES` writes a new
 * file of that size under `dir` and fsyncs it -> `wrote BYTES`.
 */
export async function startDetailChild(
  mib: number,
  title: string,
  dir: string,
): Promise<Spawned & { command(line: string, answer: string): Promise<void> }> {
  const code = `process.title = ${JSON.stringify(title)};
const fs = require('fs');
const dir = ${JSON.stringify(dir)};
const b = Buffer.alloc(${mib} * 1024 * 1024, 1);
const kept = [];
let files = 0;
setInterval(() => b[0]++, 1000);
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.split(' ');
  const n = Number(arg);
  if (cmd === 'open') {
    for (let i = 0; i < n; i++) kept.push(fs.openSync(dir + '/open-' + kept.length, 'w'));
    console.log('opened', n);
  } else if (cmd === 'write') {
    const fd = fs.openSync(dir + '/written-' + files++, 'w');
    fs.writeSync(fd, Buffer.alloc(n, 7));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    console.log('wrote', n);
  }
});
console.log('ready', b.length);`;
  const child = spawnTracked(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  await waitFor(`detail child ${title}`, () => (child.stdout().includes('ready') ? true : undefined), 30000, 50);
  const command = async (line: string, answer: string): Promise<void> => {
    child.child.stdin?.write(line + '\n');
    await waitFor(`${title}: ${line}`, () => (child.stdout().includes(answer) ? true : undefined), 30000, 50);
  };
  return Object.assign(child, { command });
}
