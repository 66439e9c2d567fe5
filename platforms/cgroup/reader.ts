import * as fs from 'fs';
import * as path from 'path';
import { errnoCode } from '../errno';
import { cgroupName } from '../procfs/parse-cgroup';
import { KeptFileReader } from '../procfs/reader';
import { parsePressure } from '../procfs/pressure';
import type { SampleErrorSink } from '../types';
import {
  keyedNumber,
  parseV2Events,
  parseV2Limit,
  statIn,
  V1_UNLIMITED,
  v1OomControlIn,
  type CgroupMemory,
} from './parse';

/** Where the memory controller is mounted, and which version it speaks. */
export interface MemoryHierarchy {
  root: string;
  version: 1 | 2;
}

/** One cgroup read in a pass. */
export interface CgroupSample extends CgroupMemory {
  /** Path under the hierarchy's root, `/system.slice/nginx.service`. */
  path: string;
  /** As `--group-by cgroup` names it (platforms/procfs/parse-cgroup.ts). */
  name: string;
  /** A unit, container or pod: its sub-cgroups are not read apart (its events count them). */
  leaf: boolean;
}

/**
 * Finds the memory controller under `base` (default /sys/fs/cgroup): v1 at
 * `<base>/memory`, else v2 at `<base>` or `<base>/unified` when its
 * cgroup.controllers lists memory. Undefined when there is none.
 */
export function findMemoryHierarchy(base = '/sys/fs/cgroup'): MemoryHierarchy | undefined {
  if (fs.existsSync(path.join(base, 'memory', 'memory.usage_in_bytes')))
    return { root: path.join(base, 'memory'), version: 1 };
  for (const dir of [base, path.join(base, 'unified')]) {
    const controllers = readOptional(path.join(dir, 'cgroup.controllers'));
    if (controllers !== undefined && controllers.split(/\s+/).includes('memory')) return { root: dir, version: 2 };
  }
  return undefined;
}

/** Is a cgroup one whose sub-cgroups belong to it (a unit, a container, a pod)? */
function isLeaf(base: string, name: string): boolean {
  return /\.(service|scope)$/.test(base) || name.startsWith('pod:') || /^[a-z-]+:[0-9a-f]{12}$/.test(name);
}

/** Deeper than this the walk stops (systemd nests slices a few levels; pods 3-4). */
const MAX_DEPTH = 8;

/** A file a cgroup lacks (an older kernel, another version) or a cgroup that has gone. */
const ABSENT = new Set(['ENOENT', 'ENODEV', 'EOPNOTSUPP']);

function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (ABSENT.has(errnoCode(err) ?? '')) return undefined;
    throw err;
  }
}

/** The largest memory file read (v1 memory.stat is ~1.5 KiB, /proc/vmstat ~5 KiB). */
const BUFFER_SIZE = 16 * 1024;
/** Files kept open between passes at most (3 to 8 per cgroup). */
const MAX_KEPT = 1024;

/**
 * Passes between reads of what rarely changes: the cgroup tree (the
 * directory walk) and each cgroup's limits and memory.stat split. A limit
 * changed is exported within this many passes (docs/collectors.md).
 */
export const REFRESH_EVERY = 10;

/** One cgroup of the last walk, in walk order (a parent before its children). */
interface TreeNode {
  path: string;
  name: string;
  leaf: boolean;
  /** Index of its parent in the tree, -1 under the root. */
  parent: number;
  /** What is known of it: looked up at its first read after a walk, not at every pass. */
  known: Known | undefined;
}

/** What was last read of a cgroup, by path: the cache of its rarely changing values. */
interface Known {
  /** Pass of the last read of the limits and memory.stat. */
  detailsPass: number;
  limitBytes?: number;
  highBytes?: number;
  anonBytes?: number;
  fileBytes?: number;
  /** v1: the last memory.failcnt, whether it moved in this pass, and what memory.oom_control said when last read. */
  failcnt?: number;
  failcntChanged: boolean;
  oomKill?: number;
  underOom?: number;
  /** Pass this entry was last used: entries of removed cgroups are dropped. */
  seenPass: number;
  /** Keys of its files in the kept files (`<path>/<file>`), by file name, made once. */
  keys: Map<string, string>;
  /** What `read` hands out for it, written afresh every pass (one object per cgroup, not per pass). */
  sample: CgroupSample | undefined;
}

export interface CgroupReaderOptions {
  /** /proc/vmstat, whose oom_kill says when any OOM kill happened (a test points it elsewhere). */
  vmstatPath?: string;
  refreshEvery?: number;
}

/**
 * Reads every cgroup of the memory hierarchy below its root that says most
 * about what runs there: slices and other intermediate cgroups (read and
 * walked into) and units, containers and pods (read, not walked into). A
 * cgroup removed during the pass (ENOENT) is skipped; any other error on one
 * file drops that value and is reported to `onError`.
 *
 * Every pass reads each cgroup's usage and events (and v2 swap and pressure)
 * afresh. The tree is walked again every `refreshEvery` passes, when a
 * cgroup has gone, and when the host counted an OOM kill (/proc/vmstat),
 * so a unit killed soon after it was made is still seen. Limits and
 * memory.stat are read every `refreshEvery` passes per cgroup. On v1,
 * memory.oom_control (oom_kill, under_oom) is read when the kill count of
 * the host changed, when memory.failcnt of the cgroup or an ancestor changed
 * (under_oom needs a failed charge), while under_oom is set, and on refresh.
 */
export class CgroupReader {
  /**
   * The files stay open between passes and are re-read at offset 0 (cgroupfs
   * renders them afresh): measured 2.4 ms instead of 10-16 ms of CPU for the
   * five v1 files of 100 cgroups. A kept file of a removed cgroup answers ENODEV.
   */
  private readonly files: KeptFileReader;
  private readonly known = new Map<string, Known>();
  private readonly vmstatPath: string;
  private readonly refreshEvery: number;
  private tree: TreeNode[] | undefined;
  private pass = 0;
  /** The host's OOM kill count at the last pass; undefined when /proc/vmstat has none. */
  private hostKills: number | undefined;
  /** A cgroup of the tree was gone in the last pass: walk again. */
  private treeStale = false;

  constructor(
    private readonly hierarchy: MemoryHierarchy,
    private readonly onError: SampleErrorSink,
    options: CgroupReaderOptions = {},
  ) {
    this.vmstatPath = options.vmstatPath ?? '/proc/vmstat';
    this.refreshEvery = options.refreshEvery ?? REFRESH_EVERY;
    // Limits, memory.stat and v1 memory.oom_control are read every `refreshEvery` passes at
    // least: their files stay open between those reads too (an open costs ~5 preads).
    this.files = new KeptFileReader(BUFFER_SIZE, MAX_KEPT, this.refreshEvery + 1);
  }

  /**
   * A pass: every cgroup with what `readOne` reads; call `details` for the
   * ones that get series, then `endPass` (files of cgroups not read are closed).
   * The samples are the reader's, valid until the next `read`: each pass
   * writes its values into the last pass's objects.
   */
  read(): CgroupSample[] {
    this.pass++;
    this.files.beginPass();
    const kills = this.readHostKills();
    // Without the host's count (before 4.13) a kill cannot be told apart: read everything.
    const killed = kills === undefined || kills !== this.hostKills;
    this.hostKills = kills;
    const refresh = (this.pass - 1) % this.refreshEvery === 0;
    if (this.tree === undefined || refresh || killed || this.treeStale) {
      this.tree = [];
      this.walk('/', 0, -1, this.tree);
    }
    this.treeStale = false;
    const out: CgroupSample[] = [];
    // Per tree node: did its memory.failcnt, or an ancestor's, change in this pass? Is it unread?
    const failed: boolean[] = [];
    const unread: boolean[] = [];
    for (const node of this.tree) {
      const ancestorFailed = node.parent >= 0 && failed[node.parent];
      // Under a cgroup without memory files: none either (as the walk used to stop there).
      const sample =
        node.parent >= 0 && unread[node.parent] ? undefined : this.readNode(node, killed || refresh || ancestorFailed);
      failed.push(ancestorFailed || (sample !== undefined && node.known?.failcntChanged === true));
      unread.push(sample === undefined);
      if (sample !== undefined) out.push(sample);
      // Gone since the walk: walk again next pass.
      else if (!(node.parent >= 0 && unread[node.parent]) && !fs.existsSync(path.join(this.hierarchy.root, node.path)))
        this.treeStale = true;
    }
    return out;
  }

  endPass(): void {
    this.files.endPass();
    // forEach, not for-of over entries: no [key, value] pair per cgroup.
    this.known.forEach(this.dropUnseen);
  }

  close(): void {
    this.files.closeAll();
  }

  private readonly dropUnseen = (k: Known, p: string): void => {
    if (k.seenPass !== this.pass) this.known.delete(p);
  };

  private readHostKills(): number | undefined {
    try {
      // A flat keyed file as memory.stat is: found in the read buffer, no string made of its ~5 KiB.
      return keyedNumber(this.files.buf, this.files.read('', this.vmstatPath, ''), 'oom_kill');
    } catch {
      // No /proc/vmstat to watch: every pass reads everything.
      return undefined;
    }
  }

  /** A file of a cgroup, or undefined when the cgroup or the file is not there. */
  private readFile(known: Known, rel: string, file: string): string | undefined {
    const n = this.readBytes(known, rel, file);
    return n === undefined ? undefined : this.files.buf.toString('latin1', 0, n);
  }

  /**
   * A single-number file of a cgroup ("123\n"), parsed from the buffer without
   * making a string; undefined when the cgroup or the file is not there, NaN
   * when it holds no number.
   */
  private readNumber(known: Known, rel: string, file: string): number | undefined {
    const n = this.readBytes(known, rel, file);
    if (n === undefined) return undefined;
    return digits(this.files.buf, n);
  }

  /** Reads a file of a cgroup into the buffer: its length, or undefined when it is not there. */
  private readBytes(known: Known, rel: string, file: string): number | undefined {
    let key = known.keys.get(file);
    // Made once per cgroup and file: a path built per read is a new string, hashed again at every lookup.
    if (key === undefined) known.keys.set(file, (key = rel === '/' ? `/${file}` : `${rel}/${file}`));
    for (let attempt = 0; ; attempt++) {
      try {
        return this.files.read(this.hierarchy.root, key, '');
      } catch (err) {
        const code = errnoCode(err);
        // A kept file of a cgroup removed and made again under the same path: open the new one once.
        if (code === 'ENODEV' && attempt === 0) continue;
        if (ABSENT.has(code ?? '')) return undefined;
        this.onError('cgroup_file_unreadable', `${key}: ${(err as Error).message}`);
        return undefined;
      }
    }
  }

  private walk(rel: string, depth: number, parent: number, tree: TreeNode[]): void {
    if (depth >= MAX_DEPTH) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(this.hierarchy.root, rel), { withFileTypes: true });
    } catch (err) {
      // The cgroup went away between its parent's listing and this one.
      if (errnoCode(err) === 'ENOENT') return;
      this.onError('cgroup_unreadable', `${rel}: ${(err as Error).message}`);
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const child = rel === '/' ? `/${e.name}` : `${rel}/${e.name}`;
      const name = cgroupName(child);
      const leaf = isLeaf(e.name, name);
      const index = tree.push({ path: child, name, leaf, parent, known: undefined }) - 1;
      if (!leaf) this.walk(child, depth + 1, index, tree);
    }
  }

  private readNode(node: TreeNode, eventsDue: boolean): CgroupSample | undefined {
    // A node's entry was dropped when its cgroup was missed in a pass (the walk then runs again).
    let known = node.known?.seenPass === this.pass - 1 ? node.known : this.known.get(node.path);
    const fresh = known === undefined;
    known ??= newKnown(this.pass);
    const s = (known.sample ??= {
      path: node.path,
      name: node.name,
      leaf: node.leaf,
      usageBytes: undefined,
      events: {},
      underOom: undefined,
      // Set by `details`; named here so that every sample has one shape.
      limitBytes: undefined,
      highBytes: undefined,
      swapBytes: undefined,
      anonBytes: undefined,
      fileBytes: undefined,
      pressureSomeSeconds: undefined,
      pressureFullSeconds: undefined,
    });
    if (!this.readOne(node.path, node.leaf, known, eventsDue || fresh, s)) return undefined;
    s.limitBytes = s.highBytes = s.swapBytes = s.anonBytes = s.fileBytes = undefined;
    s.pressureSomeSeconds = s.pressureFullSeconds = undefined;
    known.seenPass = this.pass;
    node.known = known;
    if (fresh) this.known.set(node.path, known);
    return s;
  }

  /**
   * What every cgroup needs each pass (usage for the budget, events for the
   * ledger), written into `s`; false when it vanished. The rest is read by
   * `details`, for the cgroups that get series.
   */
  private readOne(rel: string, leaf: boolean, known: Known, oomDue: boolean, s: CgroupSample): boolean {
    if (this.hierarchy.version === 1) {
      const usage = this.readNumber(known, rel, 'memory.usage_in_bytes');
      if (usage === undefined) return false;
      known.failcntChanged = false;
      if (oomDue || mayFailCharges(known, usage)) {
        const failcnt = this.readNumber(known, rel, 'memory.failcnt');
        known.failcntChanged = failcnt !== known.failcnt;
        known.failcnt = failcnt;
      }
      if (oomDue || known.failcntChanged || (known.underOom ?? 0) !== 0) {
        const n = this.readBytes(known, rel, 'memory.oom_control');
        const oom = n === undefined ? {} : v1OomControlIn(this.files.buf, n);
        known.oomKill = oom.oomKill;
        known.underOom = oom.underOom;
      }
      s.usageBytes = orUndefined(usage);
      s.underOom = known.underOom;
      // The same two keys every pass (undefined where the kernel gave none): one shape, no new object.
      s.events.max = known.failcnt === undefined ? undefined : orUndefined(known.failcnt);
      s.events.oom_kill = known.oomKill;
      return true;
    }
    const current = this.readNumber(known, rel, 'memory.current');
    if (current === undefined) return false;
    // Events per cgroup alone (memory.events.local, kernel 5.2+) for a slice, so that
    // a sum over cgroups counts each event once; a unit's own memory.events counts its subtree.
    const events =
      (!leaf ? this.readFile(known, rel, 'memory.events.local') : undefined) ??
      this.readFile(known, rel, 'memory.events');
    s.usageBytes = orUndefined(current);
    s.events = events === undefined ? {} : parseV2Events(events);
    return true;
  }

  /**
   * Limits, anon/file split and (v2) swap and pressure of a cgroup read by
   * `read` in this pass. Swap and pressure are read afresh; limits and
   * memory.stat when `refreshEvery` passes have gone by since they were.
   */
  details(s: CgroupSample): void {
    const known = this.known.get(s.path);
    const k: Known = known ?? newKnown(this.pass);
    if (known === undefined || this.pass - known.detailsPass >= this.refreshEvery) {
      k.detailsPass = this.pass;
      if (this.hierarchy.version === 1) {
        const limit = this.readNumber(k, s.path, 'memory.limit_in_bytes');
        k.limitBytes = limit === undefined || Number.isNaN(limit) || limit >= V1_UNLIMITED ? undefined : limit;
        const n = this.readBytes(k, s.path, 'memory.stat');
        const stat = n === undefined ? {} : statIn(this.files.buf, n, 1);
        k.anonBytes = stat.anonBytes;
        k.fileBytes = stat.fileBytes;
      } else {
        const max = this.readFile(k, s.path, 'memory.max');
        const high = this.readFile(k, s.path, 'memory.high');
        const n = this.readBytes(k, s.path, 'memory.stat');
        const stat = n === undefined ? {} : statIn(this.files.buf, n, 2);
        k.limitBytes = max === undefined ? undefined : parseV2Limit(max);
        k.highBytes = high === undefined ? undefined : parseV2Limit(high);
        k.anonBytes = stat.anonBytes;
        k.fileBytes = stat.fileBytes;
      }
      if (known === undefined) this.known.set(s.path, k);
    }
    s.limitBytes = k.limitBytes;
    s.highBytes = k.highBytes;
    s.anonBytes = k.anonBytes;
    s.fileBytes = k.fileBytes;
    if (this.hierarchy.version === 1) return;
    const swap = this.readNumber(k, s.path, 'memory.swap.current');
    const pressure = parsePressure(this.readFile(k, s.path, 'memory.pressure') ?? '');
    s.swapBytes = swap === undefined ? undefined : orUndefined(swap);
    s.pressureSomeSeconds = pressure.someSeconds;
    s.pressureFullSeconds = pressure.fullSeconds;
  }
}

/**
 * Below this share of its limit a v1 cgroup's memory.failcnt is read only
 * with the limits (every `refreshEvery` passes) and on a kill: a charge fails
 * only at the limit, and a cgroup that got there and fell back below half of
 * it between two cycles without an OOM kill is rare. Its count is then late,
 * never lost (the ledger adds the difference). Halves the files read per
 * cycle on hosts whose cgroups are far from their limits or have none.
 */
const FAILCNT_WATCH_SHARE = 0.5;

/** Can a v1 cgroup be failing charges: its limit unknown (never read), or its usage near it? */
function mayFailCharges(known: Known, usage: number): boolean {
  if (known.detailsPass === -Infinity) return true;
  // Unlimited: its own counter never fails (a parent's limit counts in the parent's failcnt).
  if (known.limitBytes === undefined) return false;
  return !(usage < known.limitBytes * FAILCNT_WATCH_SHARE);
}

function newKnown(pass: number): Known {
  return { detailsPass: -Infinity, seenPass: pass, failcntChanged: false, keys: new Map(), sample: undefined };
}

/** NaN (a file without a number) as undefined: a value the file does not hold is absent. */
function orUndefined(n: number): number | undefined {
  return Number.isNaN(n) ? undefined : n;
}

/**
 * The decimal number that is the whole of `buf[0, n)` but for a trailing
 * newline, as parseNumber reads it from text; NaN otherwise.
 */
function digits(buf: Buffer, n: number): number {
  let end = n;
  while (end > 0 && (buf[end - 1] === 0x0a || buf[end - 1] === 0x20)) end--;
  if (end === 0) return NaN;
  let v = 0;
  for (let i = 0; i < end; i++) {
    const c = buf[i] - 0x30;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}
