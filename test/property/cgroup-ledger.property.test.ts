import fc from 'fast-check';
import { EventLedger, OTHER_CGROUP, type LedgerEntry } from '../../agent/collectors/cgroup-ledger';

/**
 * The ledger's promise over any run of passes: the sum of every label's
 * totals is everything the kernel counted (a cgroup's counts since it was
 * first seen, from 0 again when it was made anew or missed a pass), and
 * every kept cgroup that reports an event has a series for it. Passes where
 * nothing moved (most of them on a real host) take the ledger's shortcut, so
 * the runs mix still passes with moves, removals and changing budgets.
 */
const PATHS = ['/a.slice', '/a.slice/x.service', '/a.slice/y.service', '/b.slice', '/b.slice/z.service'];
const nameOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

const pass = fc.record({
  // Which cgroups exist in this pass, which have series, and how much each counted since the last pass.
  present: fc.array(fc.boolean(), { minLength: PATHS.length, maxLength: PATHS.length }),
  kept: fc.array(fc.boolean(), { minLength: PATHS.length, maxLength: PATHS.length }),
  added: fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.nat(3)), {
    minLength: PATHS.length,
    maxLength: PATHS.length,
  }),
  // A cgroup removed and made again under its path: its counter starts again.
  remade: fc.array(fc.boolean(), { minLength: PATHS.length, maxLength: PATHS.length }),
});

describe('EventLedger over random passes', () => {
  it('sums to every count the kernel made, and gives every kept cgroup its series', () => {
    fc.assert(
      fc.property(fc.array(pass, { minLength: 1, maxLength: 40 }), (passes) => {
        const ledger = new EventLedger();
        const kernel = new Map<string, number>(); // the counter in each cgroup now
        const seenLast = new Set<string>();
        let counted = 0;
        for (const p of passes) {
          const entries: LedgerEntry[] = [];
          const seen = new Set<string>();
          PATHS.forEach((path, i) => {
            if (!p.present[i]) {
              kernel.delete(path);
              return;
            }
            const prev = kernel.get(path);
            const now = (p.remade[i] ? 0 : (prev ?? 0)) + p.added[i];
            kernel.set(path, now);
            // What the ledger can know: a path seen in the last pass counts its rise (all of it when
            // the counter went back, the cgroup made anew), any other all it holds.
            counted += seenLast.has(path) && prev !== undefined && now >= prev ? now - prev : now;
            seen.add(path);
            entries.push({ path, name: nameOf(path), events: { oom_kill: now } });
          });
          const kept = new Set(PATHS.filter((path, i) => p.present[i] && p.kept[i]).map(nameOf));
          const totals = ledger.apply(entries, kept);
          let sum = 0;
          totals.forEach((byEvent) => (sum += byEvent.get('oom_kill') ?? 0));
          expect(sum).toBe(counted);
          for (const name of kept) expect(totals.get(name)?.has('oom_kill')).toBe(true);
          for (const label of totals.keys()) expect(label === OTHER_CGROUP || kept.has(label)).toBe(true);
          seenLast.clear();
          for (const path of seen) seenLast.add(path);
        }
      }),
      { numRuns: 300 },
    );
  });
});
