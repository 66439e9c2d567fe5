import * as fs from 'fs';
import { createProcfsProcessSampler } from '../../platforms/procfs';
import { PsProcessSampler } from '../../platforms/ps/process-sampler';
import { TopProcessSampler } from '../../platforms/top/process-sampler';
import type { ProcessSample, ProcessSampler, SamplerOptions } from '../../platforms/types';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * All samplers against the same live processes holding a known amount of
 * touched memory (256 MiB and 1.25 GiB), checked against /proc/<pid>/status.
 * Linux only: it needs /proc, procps and busybox (deploy/install-deps.sh).
 */
const MiB = 1024 ** 2;
const SIZES = [
  { title: 'hp-conf-256m', bytes: 256 * MiB },
  { title: 'hp-conf-1280m', bytes: 1280 * MiB },
];

// Touch every page (Buffer.alloc fills), report ready, then burn a little CPU now and then so CPU time moves.
const CHILD = `
process.title = process.argv[1];
const b = Buffer.alloc(Number(process.argv[2]), 1);
process.stdout.write('ready\\n');
setInterval(() => { const t = Date.now(); while (Date.now() - t < 20) b[0]++; }, 100);
`;

const errors: string[] = [];
const opts: SamplerOptions = {
  procfsRoot: '/proc',
  commandTimeoutMs: 20000,
  onError: (reason, detail) => errors.push(`${reason}: ${detail}`),
};

function status(pid: number, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** CPU seconds as the sampler measures them: user + system when split, else the total. */
function cpuOf(p: ProcessSample): number | undefined {
  if (p.cpuUserSeconds !== undefined && p.cpuSystemSeconds !== undefined) return p.cpuUserSeconds + p.cpuSystemSeconds;
  return p.cpuTotalSeconds;
}

/**
 * busybox ps prints sizes in 4 characters and truncates (busybox smart_ulltoa4):
 * KiB up to 9999, else scaled by 1024 until under 1000 units, with one decimal
 * under 10 units. So `1.2g` means [1.2, 1.3) GiB. The resolution, in bytes.
 */
function busyboxResolution(bytes: number): number {
  let unit = 1024;
  let v = bytes / unit;
  if (v <= 9999) return unit;
  while (v >= 1000) {
    v /= 1024;
    unit *= 1024;
  }
  return v < 10 ? unit / 10 : unit;
}

let children: { title: string; bytes: number; proc: Spawned }[] = [];

beforeAll(async () => {
  children = SIZES.map((s) => ({
    ...s,
    proc: spawnTracked(process.execPath, ['-e', CHILD, s.title, String(s.bytes)]),
  }));
  for (const c of children)
    await waitFor(`${c.title} ready`, () => (c.proc.stdout().includes('ready') ? true : undefined), 60000);
}, 90000);

afterAll(async () => {
  await Promise.all(children.map((c) => c.proc.stop()));
});

const samplers: [string, () => ProcessSampler, { rssTolerance: (vmRss: number) => number; cpu: boolean }][] = [
  ['procfs', () => createProcfsProcessSampler(opts), { rssTolerance: (r) => 0.05 * r, cpu: true }],
  [
    'ps (procps)',
    () => new PsProcessSampler(opts, { flavour: 'procps' }),
    { rssTolerance: (r) => 0.05 * r, cpu: true },
  ],
  // Rounds RES above 999999 KiB to 0.1 GiB: within 5% from 1 GiB up.
  [
    'top (procps)',
    () => new TopProcessSampler(opts, { flavour: 'procps' }),
    { rssTolerance: (r) => 0.05 * r, cpu: true },
  ],
  [
    'ps (busybox ps)',
    () => new PsProcessSampler(opts, { flavour: 'busybox', command: ['busybox', 'ps'] }),
    { rssTolerance: (r) => Math.max(0.05 * r, busyboxResolution(r)), cpu: false },
  ],
];

describe.each(samplers)('%s against live processes', (_name, make, expectation) => {
  test('RSS matches VmRSS, comm matches, CPU seconds never decrease', async () => {
    const sampler = make();
    const first = await sampler.sample();
    const second = await sampler.sample();
    sampler.close();
    for (const c of children) {
      const vmRss = status(c.proc.pid, 'VmRSS');
      const a = first.find((p) => p.pid === c.proc.pid);
      const b = second.find((p) => p.pid === c.proc.pid);
      expect(a).toBeDefined();
      expect(b).toBeDefined();
      expect(a!.comm).toBe(c.title);
      expect(vmRss).toBeGreaterThanOrEqual(c.bytes); // the child really holds the memory
      if (sampler.fields.has('rss')) {
        expect(Math.abs(b!.rssBytes! - vmRss)).toBeLessThanOrEqual(expectation.rssTolerance(vmRss));
      }
      if (expectation.cpu) {
        expect(cpuOf(a!)).toBeDefined();
        expect(cpuOf(b!)!).toBeGreaterThanOrEqual(cpuOf(a!)!);
      } else {
        expect(cpuOf(b!)).toBeUndefined();
      }
    }
    expect(errors).toEqual([]);
  });
});

describe('top (busybox top) against live processes', () => {
  test('VSZ matches VmSize, comm matches, no RSS or CPU claimed', async () => {
    const sampler = new TopProcessSampler(opts, { flavour: 'busybox', command: ['busybox', 'top'] });
    expect([...sampler.fields]).toEqual(['vsz']);
    const rows: ProcessSample[] = await sampler.sample();
    for (const c of children) {
      const p = rows.find((r) => r.pid === c.proc.pid)!;
      expect(p).toMatchObject({ comm: c.title, ppid: process.pid });
      expect(p.rssBytes).toBeUndefined();
      expect(p.cpuTotalSeconds).toBeUndefined();
      const vmSize = status(c.proc.pid, 'VmSize');
      // busybox top prints VSZ in KiB, or whole MiB past 99999 KiB (truncated).
      expect(Math.abs(p.vszBytes! - vmSize)).toBeLessThanOrEqual(Math.max(0.05 * vmSize, MiB));
    }
    expect(errors).toEqual([]);
  });
});
