/** The synthetic load of the demo and the compose hosts, run for real. */
import * as fs from 'fs';
import * as path from 'path';
import { spawnTracked, waitFor } from '../support/processes';

const LOAD = path.join(__dirname, '..', '..', 'deploy', 'load', 'memory-load.js');
const MiB = 1024 * 1024;

const childrenOf = (pid: number): number[] =>
  fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
const comm = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
const rssBytes = (pid: number) =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

test('children named for their profile grow and shrink their resident memory, and SIGTERM stops them all', async () => {
  const load = spawnTracked('node', [LOAD], { env: { ...process.env, LOAD_SCALE: '0.5' } });
  try {
    const kids = await waitFor('three load children', () => {
      const c = childrenOf(load.pid);
      return c.length === 3 ? c : undefined;
    });
    // Each child renames itself once it has started: wait until none is still plain "node".
    const byName = await waitFor('children renamed', () => {
      const m = new Map(kids.map((p) => [comm(p), p]));
      return [...m.keys()].every((n) => n.startsWith('load-')) ? m : undefined;
    });
    expect([...byName.keys()].sort()).toEqual(['load-breathing', 'load-slowleak', 'load-spiky']);

    // load-spiky cycles 0 -> 16 MiB -> 0 every 8 s at this scale: watch for a rise and a later fall.
    const spiky = byName.get('load-spiky') as number;
    let low = Infinity;
    let high = 0;
    let rose = false;
    await waitFor(
      'load-spiky to rise and then fall by 8 MiB',
      () => {
        const rss = rssBytes(spiky);
        low = Math.min(low, rss);
        if (!rose && rss - low >= 8 * MiB) {
          rose = true;
          high = rss;
        }
        high = Math.max(high, rss);
        return rose && high - rss >= 8 * MiB ? true : undefined;
      },
      30000,
      100,
    );

    load.child.kill('SIGTERM');
    expect((await load.exited).code).toBe(0);
    await waitFor('children gone', () => (kids.some((p) => fs.existsSync(`/proc/${p}`)) ? undefined : true), 10000);
  } finally {
    await load.stop();
  }
}, 45000);

test('a bad LOAD_SCALE is refused with exit code 2', async () => {
  const load = spawnTracked('node', [LOAD], { env: { ...process.env, LOAD_SCALE: 'lots' } });
  expect((await load.exited).code).toBe(2);
  expect(load.stderr()).toContain('LOAD_SCALE must be a positive number');
});
