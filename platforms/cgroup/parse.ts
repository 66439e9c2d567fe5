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
 * v1 memory.limit_in_bytes: bytes; "unlimited" is PAGE_COUNTER_MAX pages,
 * 9223372036854771712 on 4 KiB pages (rounded down to a page on others), so
 * anything at or above 2^62 is taken as no limit.
 */
export function parseV1Limit(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  if (BigInt(t) >= 1n << 62n) return undefined;
  return Number(t);
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
  const kv = parseKeyed(text);
  return { oomKill: kv.get('oom_kill'), underOom: kv.get('under_oom') };
}

/**
 * The value of one key of a flat keyed file, without splitting it: v1
 * memory.stat has ~40 lines and two are wanted, every cycle, per cgroup.
 */
export function keyedValue(text: string, key: string): number | undefined {
  const at = text.startsWith(key + ' ') ? 0 : text.indexOf('\n' + key + ' ') + 1;
  if (at === 0 && !text.startsWith(key + ' ')) return undefined;
  const start = at + key.length + 1;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return parseNumber(text.slice(start, end));
}

/**
 * memory.stat's anon/file split: v2 `anon`/`file`; v1 `total_rss`/`total_cache`
 * (the whole subtree, as memory.usage_in_bytes counts it), `rss`/`cache` without hierarchy.
 */
export function parseStat(text: string, version: 1 | 2): { anonBytes?: number; fileBytes?: number } {
  if (version === 2) return { anonBytes: keyedValue(text, 'anon'), fileBytes: keyedValue(text, 'file') };
  return {
    anonBytes: keyedValue(text, 'total_rss') ?? keyedValue(text, 'rss'),
    fileBytes: keyedValue(text, 'total_cache') ?? keyedValue(text, 'cache'),
  };
}
