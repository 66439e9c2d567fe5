import { ProcessDetailReader } from '../../agent/collectors/process-detail';
import type { DetailKind, ProcessInspector, ProcessSample } from '../../platforms/types';

/** An inspector that answers from tables and logs every read as "pid:file". */
function fakeInspector(pss: Record<number, number>) {
  const reads: string[] = [];
  const inspector: ProcessInspector = {
    cgroup: () => undefined,
    realUid: () => undefined,
    cmdline: () => undefined,
    memoryDetail(pid) {
      reads.push(`${pid}:smaps_rollup`);
      return pss[pid] === undefined ? undefined : { pssBytes: pss[pid], ussBytes: pss[pid] / 2 };
    },
    io(pid) {
      reads.push(`${pid}:io`);
      return { readBytes: pid * 10, writeBytes: pid * 20 };
    },
    openFds(pid) {
      reads.push(`${pid}:fd`);
      return pid;
    },
    maxFds(pid) {
      reads.push(`${pid}:limits`);
      return 1024;
    },
  };
  return { inspector, reads, pss };
}

const proc = (pid: number, start = 100): ProcessSample => ({ pid, ppid: 1, comm: `p${pid}`, startTimeSeconds: start });
const slowReads = (reads: string[]) => reads.filter((x) => x.endsWith(':smaps_rollup'));

describe('ProcessDetailReader: the slow files within a per-cycle budget', () => {
  it('reads io and fd/ for every exported pid, smaps_rollup and limits for at most N: never read first, then the longest unread', () => {
    const f = fakeInspector({ 1: 1000, 2: 2000, 3: 3000 });
    const r = new ProcessDetailReader(f.inspector, new Set<DetailKind>(['pss', 'fds']), 2);
    const top = [proc(1), proc(2), proc(3)];

    const c1 = r.read(top);
    expect(f.reads).toEqual(['1:fd', '2:fd', '3:fd', '1:smaps_rollup', '1:limits', '2:smaps_rollup', '2:limits']);
    expect(c1.map((d) => d.pssBytes)).toEqual([1000, 2000, undefined]);
    expect(c1.map((d) => d.maxFds)).toEqual([1024, 1024, undefined]);
    expect(c1.map((d) => d.openFds)).toEqual([1, 2, 3]);

    f.reads.length = 0;
    f.pss[1] = 1500;
    const c2 = r.read(top);
    // 3 was never read; then 1 (read in cycle 1, before 2 in the stable order).
    expect(slowReads(f.reads)).toEqual(['3:smaps_rollup', '1:smaps_rollup']);
    expect(c2.map((d) => d.pssBytes)).toEqual([1500, 2000, 3000]);
    expect(c2[1].ussBytes).toBe(1000);

    f.reads.length = 0;
    r.read(top);
    // 2 was read in cycle 1; 1 and 3 both in cycle 2, so top's order decides.
    expect(slowReads(f.reads)).toEqual(['2:smaps_rollup', '1:smaps_rollup']);
  });

  it('forgets a pid that is no longer exported, and a reused pid (new start time) is read afresh', () => {
    const f = fakeInspector({ 1: 1000, 2: 2000 });
    const r = new ProcessDetailReader(f.inspector, new Set<DetailKind>(['pss']), 1);
    r.read([proc(1)]);
    r.read([proc(2)]);
    f.reads.length = 0;
    // pid 1 left the export last cycle: no kept value, read again first.
    expect(r.read([proc(1), proc(2)]).map((d) => d.pssBytes)).toEqual([1000, 2000]);
    expect(f.reads).toEqual(['1:smaps_rollup']);
    f.reads.length = 0;
    f.pss[2] = 9999;
    // pid 2 reused by a new process: its old value is not shown for the new one.
    const again = r.read([proc(1), proc(2, 555)]);
    expect(f.reads).toEqual(['2:smaps_rollup']);
    expect(again.map((d) => d.pssBytes)).toEqual([1000, 9999]);
  });

  it('reads only the files of the kinds asked for', () => {
    const f = fakeInspector({ 1: 1000 });
    const r = new ProcessDetailReader(f.inspector, new Set<DetailKind>(['io']), 5);
    expect(r.read([proc(1)])).toEqual([{ ioReadBytes: 10, ioWriteBytes: 20 }]);
    expect(f.reads).toEqual(['1:io']);
  });
});
