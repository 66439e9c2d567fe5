import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CURVE_BASENAME, curveFiles } from '../../bench/curve/files';
import type { CurveRecord } from '../../bench/curve/record';

const ROOT = path.join(__dirname, '..', '..');
const BENCH = path.join(ROOT, 'dist', 'bench', 'main.js');

function processCount(): number {
  return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}

function commsStartingWith(prefix: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const comm = fs.readFileSync(`/proc/${name}/comm`, 'latin1').trim();
      if (comm.startsWith(prefix)) out.push(`${name} ${comm}`);
    } catch (err) {
      // A process that exits between readdir and read is simply gone.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH')
        throw err;
    }
  }
  return out;
}

/**
 * `--curve` at two tiny points, with this checkout's own build as the baseline: every program
 * measured (or skipped with its reason), the three files written from one record, nothing left
 * running. No timing or memory assertions.
 */
describe('npm run bench -- --curve, tiny: two points, 3 cycles, --baseline-dir, --out-dir', () => {
  let out: string;
  let code: number;
  let stdout: string;
  let stderr: string;
  let benchPid: number;
  let record: CurveRecord;
  let asked: number[];

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'curve-smoke-'));
    const now = processCount();
    asked = [now + 20, now + 50];
    const args = [
      BENCH,
      '--curve',
      '--curve-points',
      asked.join(','),
      '--cycles',
      '3',
      '--warmup',
      '2',
      '--scrapes',
      '2',
      '--baseline-dir',
      ROOT,
      '--out-dir',
      out,
      '--json',
    ];
    await new Promise<void>((resolve) => {
      const child = execFile(process.execPath, args, { timeout: 150_000, maxBuffer: 16 << 20 }, (err, o, e) => {
        code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        stdout = o;
        stderr = e;
        resolve();
      });
      benchPid = child.pid ?? -1;
    });
    record = JSON.parse(stdout) as CurveRecord;
  }, 180_000);

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('exits 0 and measured hostpulse and the baseline at each point, at least as many processes as asked', () => {
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(record.points.map((p) => p.processes.requested)).toEqual(asked);
    for (const p of record.points) {
      expect(p.processes.measured).toBeGreaterThanOrEqual(p.processes.requested);
      expect(p.agent.rssMb).toBeGreaterThan(10);
      expect(p.baseline?.rssMb).toBeGreaterThan(10);
    }
    expect(record.tools.baseline).not.toBeNull();
    expect(record.settings).toMatchObject({ cycles: 3, warmup: 2, scrapes: 2, interval: '100ms' });
  });

  it('measured the C floor and each exporter, or said why not', () => {
    for (const key of ['floor', 'processExporter', 'nodeExporter'] as const) {
      const t = record.tools[key];
      const measured = record.points.map((p) => p[key] !== null);
      if ('missing' in t) {
        expect(stderr).toContain(t.missing);
        expect(measured).toEqual([false, false]);
      } else {
        expect(measured).toEqual([true, true]);
        for (const p of record.points) expect(p[key]?.rssMb).toBeGreaterThan(0);
      }
    }
  });

  it('wrote the JSON it printed, and the table and chart rendered from it', async () => {
    const read = (ext: string): string => fs.readFileSync(path.join(out, `${CURVE_BASENAME}.${ext}`), 'utf8');
    expect(JSON.parse(read('json'))).toEqual(record);
    const files = await curveFiles(record);
    expect(read('md')).toBe(files.md);
    expect(read('svg')).toBe(files.svg);
    expect(read('svg')).toMatch(/^<svg /);
  });

  it('left no filler running', () => {
    expect(commsStartingWith(`hpb${benchPid % 10_000_000}f`)).toEqual([]);
  });
});
