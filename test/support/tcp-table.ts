/**
 * The test oracle of the TCP table reader: /proc/net/tcp and /proc/net/tcp6 as
 * plain records by a plain text parser (split and regex), which the
 * production scanner (platforms/net/tcp-scan.ts) must agree with. Pure: text
 * in, rows out; readTcpSockets reads a procfs tree with it.
 *
 * The kernel prints each socket as `sl local rem st tx:rx tr:when retrnsmt uid
 * timeout inode ...` (net/ipv4/tcp_ipv4.c get_tcp4_sock, net/ipv6/tcp_ipv6.c
 * get_tcp6_sock). Addresses are the raw bytes of a network-order value printed
 * as host-order 32-bit words in hex: on a little-endian machine an IPv4
 * address reads backwards (0100007F is 127.0.0.1) and an IPv6 address is four
 * such words, each backwards. Ports are printed as numbers in hex (big-endian
 * text). Columns past `inode` differ by kernel and are ignored.
 */

import * as fs from 'fs';
import * as path from 'path';
import { errnoCode } from '../../platforms/errno';
import { formatIpv6, TCP_STATES, type TcpSocket } from '../../platforms/net/tcp-socket';

/** Parses one table (header line first). A line that does not parse goes to `onMalformed` and is skipped. */
export function parseTcpTable(text: string, family: 4 | 6, onMalformed?: (line: string) => void): TcpSocket[] {
  const out: TcpSocket[] = [];
  let start = text.indexOf('\n') + 1; // the header
  if (start === 0) return out;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line.trim() === '') continue;
    const s = parseTcpLine(line, family);
    if (s) out.push(s);
    else onMalformed?.(line);
  }
  return out;
}

/** One row, or undefined when it is not one. */
export function parseTcpLine(line: string, family: 4 | 6): TcpSocket | undefined {
  const f = line.trim().split(/\s+/);
  if (f.length < 10 || !f[0].endsWith(':')) return undefined;
  const local = parseEndpoint(f[1], family);
  const remote = parseEndpoint(f[2], family);
  const stateCode = /^[0-9A-Fa-f]{2}$/.test(f[3]) ? parseInt(f[3], 16) : 0;
  const state = TCP_STATES[stateCode - 1];
  const uid = Number(f[7]);
  const inode = Number(f[9]);
  if (!local || !remote || !state || !Number.isInteger(uid) || !Number.isInteger(inode)) return undefined;
  return {
    family,
    localAddress: local.address,
    localPort: local.port,
    remoteAddress: remote.address,
    remotePort: remote.port,
    state,
    uid,
    inode,
  };
}

/** `0100007F:0050` -> 127.0.0.1 port 80 (IPv4: 8 hex digits; IPv6: 32). */
export function parseEndpoint(text: string, family: 4 | 6): { address: string; port: number } | undefined {
  const colon = text.indexOf(':');
  const hex = text.slice(0, colon);
  const portHex = text.slice(colon + 1);
  if (
    colon < 0 ||
    !/^[0-9A-Fa-f]{4}$/.test(portHex) ||
    hex.length !== (family === 4 ? 8 : 32) ||
    !/^[0-9A-Fa-f]+$/.test(hex)
  ) {
    return undefined;
  }
  const port = parseInt(portHex, 16);
  return { address: family === 4 ? ipv4FromWord(hex) : ipv6FromWords(hex), port };
}

/** One host-order (little-endian) word as its four network-order bytes. */
function wordBytes(hex: string, at: number): number[] {
  const w = parseInt(hex.slice(at, at + 8), 16);
  return [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24];
}

function ipv4FromWord(hex: string): string {
  return wordBytes(hex, 0).join('.');
}

function ipv6FromWords(hex: string): string {
  const bytes = [...wordBytes(hex, 0), ...wordBytes(hex, 8), ...wordBytes(hex, 16), ...wordBytes(hex, 24)];
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  // IPv4-mapped (::ffff:a.b.c.d): a v4 client of a dual-stack listener.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return bytes.slice(12).join('.');
  return formatIpv6(groups);
}

/**
 * Every TCP socket of the network namespace `<procfsRoot>` belongs to: `net/tcp`
 * then `net/tcp6`, as records. A kernel without IPv6 has no `tcp6` (ENOENT):
 * that table is simply empty. Any other read error throws. (The collector's
 * poll uses TcpTableReader.)
 */
export function readTcpSockets(procfsRoot: string, onMalformed?: (line: string) => void): TcpSocket[] {
  const v4 = parseTcpTable(fs.readFileSync(path.join(procfsRoot, 'net', 'tcp'), 'latin1'), 4, onMalformed);
  let v6text: string;
  try {
    v6text = fs.readFileSync(path.join(procfsRoot, 'net', 'tcp6'), 'latin1');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return v4;
    throw err;
  }
  const v6 = parseTcpTable(v6text, 6, onMalformed);
  for (const s of v6) v4.push(s);
  return v4;
}
