import { parseUint } from '../decimal';

/**
 * Parser for /proc/<pid>/stat, working on the bytes read into a reused buffer.
 * The sampler's hot path (parseStatInto with a CommInterner) allocates
 * nothing per process: the record is reused and comm strings are shared.
 *
 * comm sits between the first '(' and the LAST ')': it may hold spaces and
 * parentheses. Fields after it are space separated (proc(5) numbering).
 */
export interface StatRecord {
  pid: number;
  comm: string;
  ppid: number;
  utimeTicks: number;
  stimeTicks: number;
  threads: number;
  startTicks: number;
  vsizeBytes: number;
  rssPages: number;
}

const OPEN = 0x28; // (
const CLOSE = 0x29; // )
const SPACE = 0x20;
const MINUS = 0x2d;

// proc(5) field numbers we keep; field 3 (state) is the first after comm.
const F_PPID = 4;
const F_UTIME = 14;
const F_STIME = 15;
const F_THREADS = 20;
const F_START = 22;
const F_VSIZE = 23;
const F_RSS = 24;

/** Returns undefined for a line that is not a whole stat line (truncated, garbled). */
export function parseStat(buf: Uint8Array, len: number): StatRecord | undefined {
  const rec: StatRecord = {
    pid: 0,
    comm: '',
    ppid: 0,
    utimeTicks: 0,
    stimeTicks: 0,
    threads: 0,
    startTicks: 0,
    vsizeBytes: 0,
    rssPages: 0,
  };
  return parseStatInto(buf, len, rec, decodeComm) ? rec : undefined;
}

/** Decodes comm bytes [from, to) of `buf` (UTF-8, as the kernel stores what exec was given). */
export type CommDecoder = (buf: Uint8Array, from: number, to: number) => string;

function decodeComm(buf: Uint8Array, from: number, to: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString('utf8');
}

/**
 * Parses into `out` (overwriting every field); false for a line that is not a
 * whole stat line, and `out` is then unspecified.
 */
export function parseStatInto(buf: Uint8Array, len: number, out: StatRecord, comm: CommDecoder = decodeComm): boolean {
  let open = -1;
  for (let i = 0; i < len; i++) {
    if (buf[i] === OPEN) {
      open = i;
      break;
    }
  }
  let close = -1;
  for (let i = len - 1; i > open; i--) {
    if (buf[i] === CLOSE) {
      close = i;
      break;
    }
  }
  if (open < 1 || close < 0) return false;

  const pid = parseUint(buf, 0, open - 1);
  if (pid < 0) return false;

  // Walk the fields after ") ", from field 3 (state, not kept).
  let i = close + 2;
  if (i >= len) return false;
  let field = 3;
  let ppid = -1,
    utime = -1,
    stime = -1,
    threads = -1,
    start = -1,
    vsize = -1,
    rss = NaN;
  while (i < len && field < F_RSS) {
    // advance to the next field
    while (i < len && buf[i] !== SPACE) i++;
    i++;
    field++;
    if (i >= len) break;
    let end = i;
    while (end < len && buf[end] !== SPACE && buf[end] !== 0x0a) end++;
    switch (field) {
      case F_PPID:
        ppid = parseUint(buf, i, end);
        break;
      case F_UTIME:
        utime = parseUint(buf, i, end);
        break;
      case F_STIME:
        stime = parseUint(buf, i, end);
        break;
      case F_THREADS:
        threads = parseUint(buf, i, end);
        break;
      case F_START:
        start = parseUint(buf, i, end);
        break;
      case F_VSIZE:
        vsize = parseUint(buf, i, end);
        break;
      case F_RSS:
        rss = parseInt64(buf, i, end);
        break;
    }
  }
  if (
    field < F_RSS ||
    ppid < 0 ||
    utime < 0 ||
    stime < 0 ||
    threads < 0 ||
    start < 0 ||
    vsize < 0 ||
    Number.isNaN(rss)
  ) {
    return false;
  }
  out.pid = pid;
  out.comm = comm(buf, open + 1, close);
  out.ppid = ppid;
  out.utimeTicks = utime;
  out.stimeTicks = stime;
  out.threads = threads;
  out.startTicks = start;
  out.vsizeBytes = vsize;
  // rss can read negative in a kernel race (per-cpu counters not yet folded); never report below 0.
  out.rssPages = rss < 0 ? 0 : rss;
  return true;
}

/** Above this many distinct names the interner starts afresh: a stream of one-off names cannot grow memory. */
const MAX_INTERNED = 4096;

/**
 * Shares one string per comm across processes and cycles: a thousand `sleep`
 * or `php-fpm` processes decode one name, not a thousand, and the hot path
 * allocates nothing for them. Keyed by a hash of the bytes; a hit is checked
 * byte for byte, and only ASCII names are reused (a byte equal to a char code
 * proves the decoding only for ASCII), others are decoded every time.
 */
export class CommInterner {
  private readonly names = new Map<number, string>();

  readonly decode: CommDecoder = (buf, from, to) => {
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const key = h & 0x3fffffff; // a small integer: the cheapest Map key
    const known = this.names.get(key);
    if (known !== undefined && sameAscii(known, buf, from, to)) return known;
    const name = decodeComm(buf, from, to);
    if (this.names.size >= MAX_INTERNED) this.names.clear();
    this.names.set(key, name);
    return name;
  };
}

function sameAscii(s: string, buf: Uint8Array, from: number, to: number): boolean {
  if (s.length !== to - from) return false;
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c >= 0x80 || s.charCodeAt(i - from) !== c) return false;
  }
  return true;
}

function parseInt64(buf: Uint8Array, from: number, to: number): number {
  if (buf[from] === MINUS) {
    const n = parseUint(buf, from + 1, to);
    return n < 0 ? NaN : -n;
  }
  const n = parseUint(buf, from, to);
  return n < 0 ? NaN : n;
}
