import { ProcessDetailReader } from '../../agent/collectors/process-detail';
import type { DetailKind, ProcessDetail, ProcessInspector, ProcessSample } from '../../platforms/types';

/** An inspector that answers from a table and logs every read as "pid:kinds". */
function fakeInspector(pss: Record<number, number>) {
  const reads: string[] = [];
  const inspector: ProcessInspector = {
    cgroup: () => undefined,
    realUid: () => undefined,
    cmdline: () => undefined,
    detail(pid: number, kinds: ReadonlySet<DetailKind>): ProcessDetail {
      reads.push(`${pid}:${[...kinds].join('+')}`);
      const d: ProcessDetail = {};
      if (kinds.has('pss') && pss[pid] !== undefined) {
        d.pssBytes = pss[pid];
        d.ussBytes = pss[pid] / 2;
      }
      if (kinds.has('fds')) d.openFds = pid;
      return d;
    },
  };
  return { inspector, reads, pss };
}

const proc = (pid: number, start = 100): ProcessSample => ({ pid, ppid: 1, comm: `p${pid}`, startTimeSeconds: start });

describe('ProcessDetailReader: smaps_rollup within a per-cycle budget', () => {
  it('reads the cheap kinds for every exported pid, and PSS for at most N: unread first, then the longest unread', () => {
    const f = fakeInspector({ 1: 1000, 2: 2000, 3: 3000 });
    const r = new ProcessDetailReader(f.inspector, new Set<DetailKind>(['pss', 'fds']), 2);
    const top = [proc(1), proc(2), proc(3)];

    const c1 = r.read(top);
    expect(f.reads).toEqual(['1:fds', '2:fds', '3:fds', '1:pss', '2:pss']);
    expect(c1.map((d) => d.pssBytes)).toEqual([1000, 2000, undefined]);
    expect(c1.map((d) => d.openFds)).toEqual([1, 2, 3]);

    f.reads.length = 0;
    f.pss[1] = 1500;
    const c2 = r.read(top);
    // 3 was never read; then 1 (read in cycle 1, before 2 in the stable order).
    expect(f.reads.filter((x) => x.endsWith(':pss'))).toEqual(['3:pss', '1:pss']);
    expect(c2.map((d) => d.pssBytes)).toEqual([1500, 2000, 3000]);
    expect(c2[1].ussBytes).toBe(1000);

    f.reads.length = 0;
    r.read(top);
    // 2 was read in cycle 1; 1 and 3 both in cycle 2, so top's order decides.
    expect(f.reads.filter((x) => x.endsWith(':pss'))).toEqual(['2:pss', '1:pss']);
  });

  it('forgets a pid that is no longer exported, and a reused pid (new start time) is read afresh', () => {
    const f = fakeInspector({ 1: 1000, 2: 2000 });
    const r = new ProcessDetailReader(f.inspector, new Set<DetailKind>(['pss']), 1);
    r.read([proc(1)]);
    r.read([proc(2)]);
    f.reads.length = 0;
    // pid 1 left the export last cycle: no kept value, read again first.
    expect(r.read([proc(1), proc(2)]).map((d) => d.pssBytes)).toEqual([1000, 2000]);
    expect(f.reads).toEqual(['1:pss']);
    f.reads.length = 0;
    f.pss[2] = 9999;
    // pid 2 reused by a new process: its old value is not shown for the new one.
    const again = r.read([proc(1), proc(2, 555)]);
    expect(f.reads).toEqual(['2:pss']);
    expect(again.map((d) => d.pssBytes)).toEqual([1000, 9999]);
  });

  it('without pss asks only for the cheap kinds', () => {
    const f = fakeInspector({ 1: 1000 });
    const r = new ProcessDetailReader(f.inspector, new Set<DetailKind>(['io']), 5);
    expect(r.read([proc(1)])).toEqual([{}]);
    expect(f.reads).toEqual(['1:io']);
  });
});
