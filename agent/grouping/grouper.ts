import type { GroupBy } from '../config/group-by';
import type { GroupRule } from '../config/group-rules';
import type { ProcessInspector, ProcessSample } from '../../platforms/types';
import { groupKey } from './group-key';
import { matchRules } from './rule-match';

/** Group of a process whose cgroup, uid or command line could not be read (it exited mid-cycle). Not cached. */
export const UNKNOWN_GROUP = 'unknown';
/** Group of Linux kernel threads under --group-by cgroup: they all sit in the root cgroup. */
export const KERNEL_GROUP = 'kernel';

/** Folds a process into its group; `endCycle` after each fold. */
export interface Grouper {
  readonly keyOf: (p: ProcessSample) => string;
  endCycle(): void;
}

export const COMM_GROUPER: Grouper = { keyOf: groupKey, endCycle: () => undefined };

interface Cached {
  start: number;
  key: string;
  cycle: number;
}

/**
 * A group that costs a file read (cgroup, status, cmdline) is looked up once
 * per process, keyed by (pid, start time), and kept while the process lives:
 * each cycle only processes new since the last one are read. Entries of
 * processes not seen in a cycle are dropped at its end. State lives in the instance.
 */
export class CachedGrouper implements Grouper {
  private readonly cache = new Map<number, Cached>();
  private cycle = 0;

  /** `resolve` returns undefined when the process could not be read: grouped as UNKNOWN_GROUP this cycle, tried again next. */
  constructor(private readonly resolve: (p: ProcessSample) => string | undefined) {}

  readonly keyOf = (p: ProcessSample): string => {
    const start = p.startTimeSeconds ?? -1;
    const c = this.cache.get(p.pid);
    if (c !== undefined && c.start === start) {
      c.cycle = this.cycle;
      return c.key;
    }
    const key = this.resolve(p);
    if (key === undefined) return UNKNOWN_GROUP;
    if (c !== undefined) {
      c.start = start;
      c.key = key;
      c.cycle = this.cycle;
    } else {
      this.cache.set(p.pid, { start, key, cycle: this.cycle });
    }
    return key;
  };

  endCycle(): void {
    const cycle = this.cycle++;
    this.cache.forEach((c, pid) => {
      if (c.cycle !== cycle) this.cache.delete(pid);
    });
  }

  /** How many processes are cached (tests). */
  get size(): number {
    return this.cache.size;
  }
}

const isKernelThread = (p: ProcessSample): boolean => p.pid === 2 || p.ppid === 2;

/** The grouper for a --group-by mode. `users` maps uid to name; a uid without a name groups as its number. */
export function createGrouper(
  by: GroupBy,
  inspector: ProcessInspector | undefined,
  users: ReadonlyMap<number, string>,
  rules: readonly GroupRule[],
): Grouper {
  if (by === 'comm') return COMM_GROUPER;
  if (inspector === undefined) throw new Error(`--group-by ${by} needs a sampler that reads /proc`);
  const userOf = (pid: number): string | undefined => {
    const uid = inspector.realUid(pid);
    return uid === undefined ? undefined : (users.get(uid) ?? String(uid));
  };
  if (by === 'cgroup')
    return new CachedGrouper((p) => (isKernelThread(p) ? KERNEL_GROUP : inspector.cgroup(p.pid)?.name));
  if (by === 'user') return new CachedGrouper((p) => userOf(p.pid));
  return new CachedGrouper((p) => {
    let vanished = false;
    const lazy = <T>(read: () => T | undefined): (() => T | undefined) => {
      let done = false;
      let v: T | undefined;
      return () => {
        if (!done) {
          v = read();
          done = true;
          if (v === undefined) vanished = true;
        }
        return v;
      };
    };
    const key = matchRules(rules, {
      comm: p.comm,
      // A kernel thread has an empty command line; it is matched as such.
      cmdline: lazy(() => inspector.cmdline(p.pid)),
      cgroup: lazy(() => (isKernelThread(p) ? '/' : inspector.cgroup(p.pid)?.path)),
      user: lazy(() => userOf(p.pid)),
    });
    // A rule that could not be checked must not pin a wrong group for the process's lifetime.
    return vanished ? undefined : key;
  });
}
