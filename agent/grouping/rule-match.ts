import type { GroupRule } from '../config/group-rules';

/** Group of unmatched processes under --group-by rules (folds with the budget's "other"). */
export const UNMATCHED = 'other';

/** What a rule can look at; each read lazily, only when a rule needs it. */
export interface ProcessFacts {
  comm: string;
  // Function-typed fields, not methods: matchRules calls them detached.
  cmdline: () => string | undefined;
  cgroup: () => string | undefined;
  user: () => string | undefined;
}

/**
 * The group of the first rule whose every matcher matches, its name's `$N`
 * filled from the capture groups (numbered across comm, cmdline, cgroup in
 * that order); UNMATCHED when none does. A fact that cannot be read (the
 * process has gone) does not match.
 */
export function matchRules(rules: readonly GroupRule[], f: ProcessFacts): string {
  for (const r of rules) {
    const groups: string[] = [];
    let ok = true;
    for (const [re, value] of [
      [r.comm, () => f.comm],
      [r.cmdline, f.cmdline],
      [r.cgroup, f.cgroup],
    ] as const) {
      if (re === undefined) continue;
      const v = value();
      const m = v === undefined ? null : re.exec(v);
      if (m === null) {
        ok = false;
        break;
      }
      for (let i = 1; i < m.length; i++) groups.push(m[i] ?? '');
    }
    if (!ok) continue;
    if (r.user !== undefined && f.user() !== r.user) continue;
    return r.name.replace(/\$(\d+)/g, (_, n: string) => groups[Number(n) - 1] ?? '');
  }
  return UNMATCHED;
}
