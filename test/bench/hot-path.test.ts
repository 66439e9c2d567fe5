import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Counter, Gauge, Registry } from 'prom-client';
import { renderExposition, snapshot } from '../../agent/metrics/exposition';
import { CommInterner, parseStatInto, parseStat, type StatRecord } from '../../platforms/procfs/parse-stat';
import { KeptFileReader, keptFileBudget } from '../../platforms/procfs/reader';

/**
 * The pieces the benchmark made cheaper must say exactly what the plain ways
 * said: prom-client's own rendering, a fresh parse, a fresh open.
 */
describe('renderExposition writes what prom-client would', () => {
  it('matches registry.metrics() byte for byte: escapes, special values, empty and label-less families', async () => {
    const registry = new Registry();
    const g = new Gauge({
      name: 'a_bytes',
      help: 'Help with \\ backslash\nand newline.',
      labelNames: ['pid', 'comm'],
      registers: [registry],
    });
    const c = new Counter({
      name: 'b_total',
      help: 'A counter.',
      labelNames: ['group', 'mode'],
      registers: [registry],
    });
    const empty = new Gauge({ name: 'c_empty', help: 'No series.', labelNames: ['x'], registers: [registry] });
    const plain = new Gauge({ name: 'd_plain', help: 'No labels.', registers: [registry] });
    g.set({ pid: '1', comm: 'x) (y z' }, 1.5);
    g.set({ pid: '2', comm: 'quote " back \\ nl \n end' }, 2 ** 40);
    g.set({ pid: '3', comm: 'héllo wörld' }, NaN);
    g.set({ comm: 'order', pid: '4' }, -Infinity);
    c.inc({ group: 'sleep', mode: 'user' }, 0.01);
    c.inc({ group: 'kworker', mode: 'system' }, 123456.789);
    plain.set(Infinity);
    expect(renderExposition(await snapshot([g, c, empty, plain] as Array<Gauge<string> | Counter<string>>))).toBe(
      await registry.metrics(),
    );
  });
});

describe('parseStatInto with a CommInterner reads what parseStat reads', () => {
  const lines = [
    '1062 (bash) S 1061 1062 1062 34816 1100 4194304 1 2 3 4 6 8 0 0 20 0 1 0 2852 5361664 1026 18446744073709551615',
    '9498 (x) (y z) S 9495 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 3 0 100 200 386 0',
    '77 (héllo wörld) R 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 7 8 9 0',
    '78 (bash) S 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 7 8 9 0',
    '79 (bas\u0000) S 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 7 8 9 0',
  ];

  it('gives equal records, reusing one record and one string per name', () => {
    const interner = new CommInterner();
    const rec = {} as StatRecord;
    const comms: string[] = [];
    for (const line of [...lines, ...lines]) {
      const buf = Buffer.from(line + '\n');
      expect(parseStatInto(buf, buf.length, rec, interner.decode)).toBe(true);
      expect({ ...rec }).toEqual(parseStat(buf, buf.length));
      comms.push(rec.comm);
    }
    expect(comms.slice(0, lines.length)).toEqual(comms.slice(lines.length));
  });

  it('refuses a truncated line as parseStat does', () => {
    const buf = Buffer.from('12 (a) S 1 2 3');
    expect(parseStatInto(buf, buf.length, {} as StatRecord, new CommInterner().decode)).toBe(false);
    expect(parseStat(buf, buf.length)).toBeUndefined();
  });
});

describe('KeptFileReader keeps /proc/<pid>/stat open across passes', () => {
  const read = (r: KeptFileReader, pid: number): string =>
    r.buf.toString('latin1', 0, r.read('/proc/', String(pid), '/stat'));
  /** This process's open fds as "fd -> link". */
  const fdLinks = (): string[] =>
    fs.readdirSync('/proc/self/fd').map((fd) => {
      try {
        return `${fd} -> ${fs.readlinkSync(`/proc/self/fd/${fd}`)}`;
      } catch (err) {
        // The fd readdir itself used is closed by now.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
        throw err;
      }
    });
  // Other test files run in the same jest worker may hold stat files of their own: only new fds count.
  let before = new Set<string>();
  beforeEach(() => {
    before = new Set(fdLinks());
  });
  /** Stat files of `pids` opened since the test began. */
  const openStats = (...pids: number[]): string[] =>
    fdLinks()
      .filter((l) => !before.has(l))
      .map((l) => l.slice(l.indexOf(' -> ') + 4))
      .filter((l) => pids.some((pid) => l === `/proc/${pid}/stat`))
      .sort();

  it('reads fresh text each pass, answers ESRCH once the process is reaped, and closes what a pass did not read', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pid = child.pid as number;
    const r = new KeptFileReader(4096, 100);
    r.beginPass();
    expect(read(r, pid)).toMatch(new RegExp(`^${pid} \\(sleep\\) [RS] `));
    r.endPass();
    expect(r.size).toBe(1);
    expect(openStats(pid)).toEqual([`/proc/${pid}/stat`]);

    process.kill(pid, 'SIGSTOP');
    await new Promise((res) => setTimeout(res, 100));
    r.beginPass();
    expect(read(r, pid)).toMatch(new RegExp(`^${pid} \\(sleep\\) T `));
    r.endPass();

    child.kill('SIGKILL');
    await new Promise((res) => child.on('exit', res));
    await new Promise((res) => setTimeout(res, 50));
    r.beginPass();
    // The kept file says ESRCH; the path is opened afresh and is gone too.
    expect(() => read(r, pid)).toThrow(/ENOENT|ESRCH/);
    expect(r.size).toBe(0);
    r.endPass();
    expect(openStats(pid)).toEqual([]);
  });

  it('closes the file of a process not read in a pass, and keeps at most maxKept files open', () => {
    const r = new KeptFileReader(4096, 1);
    r.beginPass();
    read(r, process.pid);
    read(r, 1);
    r.endPass();
    expect(r.size).toBe(1);
    expect(openStats(process.pid, 1)).toEqual([`/proc/${process.pid}/stat`]);
    r.beginPass();
    r.endPass();
    expect(r.size).toBe(0);
    expect(openStats(process.pid, 1)).toEqual([]);
  });

  it('budgets half the soft open-file limit, and a safe default without /proc/self/limits', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'limits-'));
    const file = path.join(dir, 'limits');
    fs.writeFileSync(
      file,
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n',
    );
    expect(keptFileBudget(file)).toBe(512);
    expect(keptFileBudget(path.join(dir, 'missing'))).toBe(512);
    fs.writeFileSync(file, 'Max open files            20000                20000                files\n');
    expect(keptFileBudget(file)).toBe(10000);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
