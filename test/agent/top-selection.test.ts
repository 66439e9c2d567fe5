import { ExportedProcesses } from '../../agent/metrics/exported-processes';
import { GroupAccumulator } from '../../agent/grouping/group-accumulator';
import { GroupBudget } from '../../agent/grouping/group-budget';
import type { GroupRow } from '../../agent/grouping/group-accumulator';
import { rankSize, selectTop } from '../../agent/grouping/select-top';
import type { ProcessSample } from '../../platforms/types';

const proc = (pid: number, rss: number, cpu: number, start = 1000 + pid): ProcessSample => ({
  pid,
  ppid: 1,
  comm: `p${pid}`,
  rssBytes: rss,
  cpuUserSeconds: cpu,
  cpuSystemSeconds: 0,
  startTimeSeconds: start,
});

describe('CPU used over the last interval (GroupAccumulator.cpuDelta)', () => {
  it('is unknown (-1) on the first cycle, then the CPU since the last one; a new process counts whole', () => {
    const acc = new GroupAccumulator();
    acc.fold([proc(1, 10, 5), proc(2, 10, 1)]);
    expect(acc.cpuDelta).toEqual([-1, -1]);
    acc.fold([proc(1, 10, 7.5), proc(2, 10, 1), proc(3, 10, 0.25)]);
    expect(acc.cpuDelta).toEqual([2.5, 0, 0.25]);
    // pid 2 reused by a new process: its CPU counts whole, not as a drop.
    acc.fold([proc(1, 10, 7.5), proc(2, 10, 0.5, 5000)]);
    expect(acc.cpuDelta).toEqual([0, 0.5]);
  });
});

describe('selectTop by CPU', () => {
  it('skips processes at or below the floor (idle ones are no CPU consumers)', () => {
    const ps = [proc(1, 1, 0), proc(2, 1, 0), proc(3, 1, 0)];
    const delta = [0, 3, -1];
    expect(selectTop(ps, 5, (_, i) => delta[i], 0).map((p) => p.pid)).toEqual([2]);
  });
});

describe('ExportedProcesses: union of both tops, held for --top-hold cycles', () => {
  it('exports the union once, with the reason of the first list that chose it', () => {
    const ps = [proc(1, 100, 0), proc(2, 1, 9), proc(3, 50, 1)];
    const e = new ExportedProcesses(3);
    const out = e.choose(ps, selectTop(ps, 2, rankSize), [ps[1], ps[0]]);
    expect(out.map((p) => p.pid)).toEqual([1, 3, 2]);
    expect(e.reasons).toEqual(['rss', 'rss', 'cpu']);
  });

  it('holds a dropped process exactly `hold` cycles, then lets it go', () => {
    const ps = [proc(1, 100, 0), proc(2, 1, 9)];
    const e = new ExportedProcesses(2);
    expect(e.choose(ps, [ps[0]], [ps[1]]).map((p) => p.pid)).toEqual([1, 2]);
    expect(e.choose(ps, [ps[0]], []).map((p) => p.pid)).toEqual([1, 2]);
    expect(e.reasons).toEqual(['rss', 'hold']);
    expect(e.choose(ps, [ps[0]], []).map((p) => p.pid)).toEqual([1, 2]);
    expect(e.choose(ps, [ps[0]], []).map((p) => p.pid)).toEqual([1]);
  });

  it('a process selected again gets the full hold back; a reused pid is not held', () => {
    const e = new ExportedProcesses(1);
    const a = proc(2, 1, 9);
    e.choose([a], [], [a]);
    expect(e.choose([a], [], []).map((p) => p.pid)).toEqual([2]);
    e.choose([a], [], [a]);
    const reused = proc(2, 1, 0, 9999);
    expect(e.choose([reused], [], [])).toEqual([]);
  });

  it('hold 0 exports only what the tops chose', () => {
    const ps = [proc(1, 1, 9)];
    const e = new ExportedProcesses(0);
    e.choose(ps, [], ps);
    expect(e.choose(ps, [], [])).toEqual([]);
  });
});

describe('GroupBudget: groups past --max-groups fold into "other"', () => {
  const row = (rss: number, cpu: number): GroupRow => ({
    processes: 1,
    rssBytes: rss,
    cpuUserSeconds: cpu,
    cpuSystemSeconds: 0,
    cpuTotalSeconds: 0,
  });
  const sum = (m: Map<string, GroupRow>, f: (g: GroupRow) => number) => [...m.values()].reduce((a, g) => a + f(g), 0);

  it('keeps max - 1 largest by RSS, folds the rest into other, sums unchanged', () => {
    const b = new GroupBudget(3);
    const groups = new Map([
      ['a', row(10, 1)],
      ['b', row(40, 1)],
      ['c', row(30, 1)],
      ['d', row(5, 2)],
    ]);
    const out = b.apply(groups);
    expect([...out.keys()].sort()).toEqual(['b', 'c', 'other']);
    expect(out.get('other')).toMatchObject({ processes: 2, rssBytes: 15, cpuUserSeconds: 3 });
    expect(b.folded).toBe(2);
    expect(sum(out, (g) => g.rssBytes)).toBe(sum(groups, (g) => g.rssBytes));
  });

  it('within budget nothing folds; a group already called "other" stays other', () => {
    const b = new GroupBudget(3);
    const out = b.apply(
      new Map([
        ['a', row(10, 1)],
        ['other', row(1, 4)],
      ]),
    );
    expect([...out.keys()]).toEqual(['a', 'other']);
    expect(out.get('other')!.cpuUserSeconds).toBe(4);
    expect(b.folded).toBe(0);
  });

  it("keeps other's CPU counter monotonic while its members change", () => {
    const b = new GroupBudget(2);
    // cycle 1: e kept; a (1 s) and c (5 s) fold
    let out = b.apply(
      new Map([
        ['a', row(10, 1)],
        ['c', row(1, 5)],
        ['e', row(20, 0)],
      ]),
    );
    expect(out.get('other')!.cpuUserSeconds).toBe(6);
    // cycle 2: c grows past e and is kept; a (1 -> 2 s) and e fold: other adds only a's 1 s since last cycle
    out = b.apply(
      new Map([
        ['a', row(1, 2)],
        ['c', row(50, 9)],
        ['e', row(20, 0)],
      ]),
    );
    expect(out.get('other')!.cpuUserSeconds).toBe(7);
    // cycle 3: a new group d folds with its 3 s; a adds 0.5
    out = b.apply(
      new Map([
        ['a', row(1, 2.5)],
        ['c', row(50, 9)],
        ['d', row(0, 3)],
      ]),
    );
    expect(out.get('other')!.cpuUserSeconds).toBe(10.5);
  });
});
