/**
 * Parsers for the memory controller's files of one cgroup, v1 and v2
 * (Documentation/admin-guide/cgroup-v2.rst, Documentation/admin-guide/cgroup-v1/memory.rst).
 * Pure: text in, values out; a value the file does not hold is absent, never zero.
 */

/** The events v2's memory.events counts; v1 has oom_kill (memory.oom_control) and failcnt, counted as `max`. */
export const MEMORY_EVENTS = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill'] as const;
export type MemoryEvent = (typeof MEMORY_EVENTS)[number];
export type MemoryEvents = Partial<Record<MemoryEvent, number>>;

/** One cgroup's memory, as read from its files. */
export interface CgroupMemory {
  usageBytes?: number;
  /** The hard limit (v2 memory.max, v1 memory.limit_in_bytes); absent when unlimited. */
  limitBytes?: number;
  /** v2 memory.high; absent when unlimited or on v1. */
  highBytes?: number;
  /** v2 memory.swap.current. */
  swapBytes?: number;
  anonBytes?: number;
  fileBytes?: number;
  events: MemoryEvents;
  /** v1 memory.oom_control under_oom: 1 while the cgroup is stuck at its limit with the OOM killer disabled. */
  underOom?: number;
  pressureSomeSeconds?: number;
  pressureFullSeconds?: number;
}

/** A single-number file ("123\n"); undefined when it holds no number. */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  return Number(t);
}

/** v2 memory.max / memory.high: "max" (no limit) or bytes. */
export function parseV2Limit(text: string): number | undefined {
  return text.trim() === 'max' ? undefined : parseNumber(text);
}

/**
 * v1 memory.limit_in_bytes at or above this is no limit: "unlimited" is
 * PAGE_COUNTER_MAX pages, 9223372036854771712 on 4 KiB pages (rounded down
 * to a page on others).
 */
export const V1_UNLIMITED = 2 ** 62;

/** v1 memory.limit_in_bytes: bytes; undefined when unlimited (V1_UNLIMITED). */
export function parseV1Limit(text: string): number | undefined {
  const v = parseNumber(text);
  return v === undefined || v >= V1_UNLIMITED ? undefined : v;
}

/** Flat keyed files ("key value" per line): memory.stat, memory.events, memory.oom_control. */
export function parseKeyed(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line.trim());
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

/** v2 memory.events (or memory.events.local): the events the kernel lists, others ignored. */
export function parseV2Events(text: string): MemoryEvents {
  const kv = parseKeyed(text);
  const out: MemoryEvents = {};
  for (const e of MEMORY_EVENTS) {
    const v = kv.get(e);
    if (v !== undefined) out[e] = v;
  }
  return out;
}

/** v1 memory.oom_control: oom_kill (kernel 4.13+) and under_oom. */
export function parseV1OomControl(text: string): { oomKill?: number; underOom?: number } {
  return v1OomControlIn(latin1(text), text.length);
}

/** parseV1OomControl over the bytes `buf[0, n)` of the file. */
export function v1OomControlIn(buf: Buffer, n: number): { oomKill?: number; underOom?: number } {
  return { oomKill: keyedNumber(buf, n, 'oom_kill'), underOom: keyedNumber(buf, n, 'under_oom') };
}

/** The value of one key of a flat keyed file (keyedNumber over its text). */
export function keyedValue(text: string, key: string): number | undefined {
  return keyedNumber(latin1(text), text.length, key);
}

/**
 * The whole number on the line `key N` of the flat keyed file in
 * `buf[0, n)`, found without making a string of it (v1 memory.stat has ~40
 * lines and two are wanted); undefined when no line has the key or its
 * value is not a whole number. The buffer past `n` is not read.
 */
export function keyedNumber(buf: Buffer, n: number, key: string): number | undefined {
  const at = keyAt(buf, n, key);
  if (at < 0) return undefined;
  const start = at + key.length + 1;
  let v = 0;
  let i = start;
  for (; i < n && buf[i] >= 0x30 && buf[i] <= 0x39; i++) v = v * 10 + buf[i] - 0x30;
  return i === start || (i < n && buf[i] !== NEWLINE) ? undefined : v;
}

/** Where the line `key ...` starts in `buf[0, n)`; -1 when no line does. */
function keyAt(buf: Buffer, n: number, key: string): number {
  for (let at = buf.indexOf(key, 0, 'latin1'); at >= 0 && at + key.length < n; at = buf.indexOf(key, at + 1, 'latin1'))
    if ((at === 0 || buf[at - 1] === NEWLINE) && buf[at + key.length] === SPACE) return at;
  return -1;
}

/**
 * memory.stat's anon/file split: v2 `anon`/`file`; v1 `total_rss`/`total_cache`
 * (the whole subtree, as memory.usage_in_bytes counts it), `rss`/`cache` without hierarchy.
 */
export function parseStat(text: string, version: 1 | 2): { anonBytes?: number; fileBytes?: number } {
  return statIn(latin1(text), text.length, version);
}

/** parseStat over the bytes `buf[0, n)` of memory.stat. */
export function statIn(buf: Buffer, n: number, version: 1 | 2): { anonBytes?: number; fileBytes?: number } {
  if (version === 2) return { anonBytes: keyedNumber(buf, n, 'anon'), fileBytes: keyedNumber(buf, n, 'file') };
  return {
    anonBytes: keyedNumber(buf, n, 'total_rss') ?? keyedNumber(buf, n, 'rss'),
    fileBytes: keyedNumber(buf, n, 'total_cache') ?? keyedNumber(buf, n, 'cache'),
  };
}

const NEWLINE = 0x0a;
const SPACE = 0x20;

function latin1(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
