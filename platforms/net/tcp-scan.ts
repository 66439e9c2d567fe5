/**
 * /proc/net/tcp and tcp6 read as bytes, for the connections collector's poll.
 * Pure: bytes in, rows out. The same format as `parseTcpTable`
 * (test/support/tcp-table.ts, the readable reference the tests compare this
 * with), without its cost at
 * 10,000 rows: no regex, no split, no string per field, no object per row.
 *
 * Each row is visited through one reused cursor (`TcpRow`) that holds the
 * fields every row needs (state, local port, inode) as numbers; a caller that
 * only counts a row allocates nothing for it. `key()` (the raw 4-tuple text,
 * one short string) and `socket()` (the full record with addresses as text)
 * are built only when asked, and only while the visitor runs: the cursor
 * points into the caller's buffer, which the next read overwrites.
 *
 * After the `sl:` column the kernel prints fixed-width hex: `AAAAAAAA:PPPP`
 * twice (32 address digits for tcp6), then the state as two digits; the
 * columns after that are separated by spaces, of which uid (the 4th) and
 * inode (the 6th) are read; later ones are ignored. Addresses are the raw
 * bytes of a network-order value printed as host-order 32-bit words: on a
 * little-endian machine 0100007F is 127.0.0.1, and an IPv6 address is four
 * such words, each backwards.
 */
import { parseUint } from '../decimal';
import { formatIpv6, TCP_STATES, type TcpSocket } from './tcp-socket';

/** Hex digit value by byte, -1 for anything else. */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}
const SPACE = 0x20;
const TAB = 0x09;
const COLON = 0x3a;
const NL = 0x0a;

/** `TCP_STATES[code - 1]`: the state codes the collector cares about by number. */
export const STATE_LISTEN = 10;
export const STATE_CLOSE = 7;

/** One row of a table being scanned. Valid only inside the visitor that received it. */
export class TcpRow {
  family: 4 | 6 = 4;
  /** include/net/tcp_states.h code, 1..12 (`TCP_STATES[state - 1]`). */
  state = 0;
  localPort = 0;
  remotePort = 0;
  uid = 0;
  /** 0 for sockets no process holds (TIME_WAIT, request sockets). */
  inode = 0;
  /** @internal the table's bytes and where this row's local address starts. */
  buf: Buffer = Buffer.alloc(0);
  /** @internal */
  at = 0;

  /** Hex digits of one address: 8 (IPv4) or 32 (IPv6). */
  private get addressLength(): number {
    return this.family === 4 ? 8 : 32;
  }

  /**
   * The 4-tuple as the kernel printed it (`0100007F:0050 0100007F:C000`):
   * equal for the same tuple in the same table, distinct across families (lengths differ).
   */
  key(): string {
    return this.buf.toString('latin1', this.at, this.at + 2 * this.addressLength + 11);
  }

  /** The whole record, addresses as text (as parseTcpLine gives it). */
  socket(): TcpSocket {
    const n = this.addressLength;
    return {
      family: this.family,
      localAddress: this.address(this.at),
      localPort: this.localPort,
      remoteAddress: this.address(this.at + n + 6),
      remotePort: this.remotePort,
      state: TCP_STATES[this.state - 1],
      uid: this.uid,
      inode: this.inode,
    };
  }

  private address(at: number): string {
    if (this.family === 4) return wordBytes(this.buf, at).join('.');
    const bytes = [
      ...wordBytes(this.buf, at),
      ...wordBytes(this.buf, at + 8),
      ...wordBytes(this.buf, at + 16),
      ...wordBytes(this.buf, at + 24),
    ];
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
    // IPv4-mapped (::ffff:a.b.c.d): a v4 client of a dual-stack listener.
    if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return bytes.slice(12).join('.');
    return formatIpv6(groups);
  }
}

/** One host-order (little-endian) word, printed as 8 hex digits, as its four network-order bytes. */
function wordBytes(buf: Buffer, at: number): number[] {
  const w = hexValue(buf, at, 8);
  return [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24];
}

/** `len` (<= 8) hex digits at `at` as an unsigned number, or -1 when one is not a hex digit. */
function hexValue(buf: Buffer, at: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) {
    const d = HEX[buf[at + i]];
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function allHex(buf: Buffer, at: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (HEX[buf[at + i]] < 0) return false;
  return true;
}

const isBlank = (b: number) => b === SPACE || b === TAB;

/**
 * Visits every row of one table held in `buf[0, length)` (header line first).
 * A line that is not a row goes to `onMalformed` (as latin1 text, without its
 * newline) and is skipped; blank lines are skipped. The `row` passed to
 * `onRow` is the same object every time.
 */
export function scanTcpTable(
  buf: Buffer,
  length: number,
  family: 4 | 6,
  onRow: (row: TcpRow) => void,
  onMalformed?: (line: string) => void,
  row: TcpRow = new TcpRow(),
): void {
  row.family = family;
  row.buf = buf;
  const alen = family === 4 ? 8 : 32;
  let start = buf.indexOf(NL, 0);
  if (start < 0 || start >= length) return; // no header line: nothing
  start++;
  while (start < length) {
    let end = buf.indexOf(NL, start);
    if (end < 0 || end > length) end = length;
    if (parseRow(buf, start, end, alen, row)) onRow(row);
    else if (!blankLine(buf, start, end)) onMalformed?.(buf.toString('latin1', start, end));
    start = end + 1;
  }
}

function blankLine(buf: Buffer, start: number, end: number): boolean {
  for (let p = start; p < end; p++) if (!isBlank(buf[p]) && buf[p] !== 0x0d) return false;
  return true;
}

/** Fills `row` from the line `buf[start, end)`; false when it is not a row. */
function parseRow(buf: Buffer, start: number, end: number, alen: number, row: TcpRow): boolean {
  let p = start;
  while (p < end && isBlank(buf[p])) p++;
  // `sl:`: a token ending in a colon.
  while (p < end && !isBlank(buf[p])) p++;
  if (p === start || buf[p - 1] !== COLON) return false;
  while (p < end && isBlank(buf[p])) p++;
  // local and remote `ADDR:PORT`, single spaces, then the state: fixed widths.
  const endpoint = alen + 5;
  if (p + 2 * endpoint + 4 > end) return false;
  const local = p;
  const remote = p + endpoint + 1;
  if (
    buf[local + alen] !== COLON ||
    buf[local + endpoint] !== SPACE ||
    buf[remote + alen] !== COLON ||
    buf[remote + endpoint] !== SPACE
  )
    return false;
  if (!allHex(buf, local, alen) || !allHex(buf, remote, alen)) return false;
  const localPort = hexValue(buf, local + alen + 1, 4);
  const remotePort = hexValue(buf, remote + alen + 1, 4);
  const state = hexValue(buf, remote + endpoint + 1, 2);
  p = remote + endpoint + 3;
  if (localPort < 0 || remotePort < 0 || state < 1 || state > TCP_STATES.length || (p < end && !isBlank(buf[p])))
    return false;
  // tx:rx, tr:when, retrnsmt, uid, timeout, inode.
  let uid = -1;
  let inode = -1;
  for (let field = 0; field < 6; field++) {
    while (p < end && isBlank(buf[p])) p++;
    if (p >= end) return false;
    const from = p;
    while (p < end && !isBlank(buf[p])) p++;
    if (field === 3) uid = parseUint(buf, from, p);
    else if (field === 5) inode = parseUint(buf, from, p);
  }
  if (uid < 0 || inode < 0) return false;
  row.at = local;
  row.state = state;
  row.localPort = localPort;
  row.remotePort = remotePort;
  row.uid = uid;
  row.inode = inode;
  return true;
}
