import { EventLedger, OTHER_CGROUP, type LedgerEntry } from '../../agent/collectors/cgroup-ledger';
import { selectCgroups } from '../../agent/collectors/cgroups';
import type { CgroupSample } from '../../platforms/cgroup/reader';

const e = (p: string, name: string, oom_kill: number, max = 0): LedgerEntry => ({
  path: p,
  name,
  events: { oom_kill, max },
});
const flat = (m: Map<string, Map<string, number>>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, Object.fromEntries(v)]));

describe('EventLedger', () => {
  it('counts what each cgroup had at first sight, then what it added', () => {
    const l = new EventLedger();
    const kept = new Set(['a.slice', 'x.service']);
    expect(flat(l.apply([e('/a.slice', 'a.slice', 0), e('/a.slice/x.service', 'x.service', 2)], kept))).toEqual({
      'a.slice': { oom_kill: 0, max: 0 },
      'x.service': { oom_kill: 2, max: 0 },
    });
    expect(
      flat(l.apply([e('/a.slice', 'a.slice', 0), e('/a.slice/x.service', 'x.service', 3, 5)], kept))['x.service'],
    ).toEqual({ oom_kill: 3, max: 5 });
  });

  it('keeps a removed leaf’s counts with its parent slice: the sum never goes back', () => {
    const l = new EventLedger();
    l.apply([e('/a.slice', 'a.slice', 1), e('/a.slice/x.service', 'x.service', 1)], new Set(['a.slice', 'x.service']));
    // x.service was OOM-killed and torn down.
    const after = flat(l.apply([e('/a.slice', 'a.slice', 1)], new Set(['a.slice'])));
    expect(after).toEqual({ 'a.slice': { oom_kill: 2, max: 0 } });
  });

  it('counts cgroups past the budget into their nearest kept ancestor, else other', () => {
    const l = new EventLedger();
    const out = flat(
      l.apply(
        [e('/a.slice', 'a.slice', 0), e('/a.slice/x.service', 'x.service', 4), e('/b.slice', 'b.slice', 1)],
        new Set(['a.slice']),
      ),
    );
    expect(out).toEqual({ 'a.slice': { oom_kill: 4, max: 0 }, [OTHER_CGROUP]: { oom_kill: 1, max: 0 } });
  });

  it('a cgroup made again under the same path counts from 0', () => {
    const l = new EventLedger();
    const kept = new Set(['x.service']);
    l.apply([e('/x.service', 'x.service', 5)], kept);
    expect(flat(l.apply([e('/x.service', 'x.service', 1)], kept))['x.service'].oom_kill).toBe(6);
  });
});

describe('selectCgroups', () => {
  const s = (p: string, name: string, usageBytes: number): CgroupSample => ({
    path: p,
    name,
    leaf: true,
    usageBytes,
    events: {},
  });
  it('keeps one cgroup per name (nearest the root), then the largest by usage', () => {
    const got = selectCgroups(
      [s('/a', 'pod:1', 10), s('/a/c1', 'pod:1', 9), s('/b', 'b.service', 30), s('/c', 'c.service', 20)],
      2,
    );
    expect(got.map((g) => g.path)).toEqual(['/b', '/c']);
    expect(selectCgroups([s('/a', 'pod:1', 10), s('/a/c1', 'pod:1', 9)], 5).map((g) => g.path)).toEqual(['/a']);
  });
});
