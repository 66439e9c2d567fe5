/**
 * A TCP socket of /proc/net/tcp and /proc/net/tcp6 as a plain record, and the
 * kernel's state numbers. The collector's reader (tcp-scan.ts) fills these; the
 * text parser that checks it lives with the tests (test/support/tcp-table.ts).
 */

export type TcpState =
  | 'established'
  | 'syn_sent'
  | 'syn_recv'
  | 'fin_wait1'
  | 'fin_wait2'
  | 'time_wait'
  | 'close'
  | 'close_wait'
  | 'last_ack'
  | 'listen'
  | 'closing'
  | 'new_syn_recv';

/** include/net/tcp_states.h, in order from 1. */
export const TCP_STATES: readonly TcpState[] = [
  'established',
  'syn_sent',
  'syn_recv',
  'fin_wait1',
  'fin_wait2',
  'time_wait',
  'close',
  'close_wait',
  'last_ack',
  'listen',
  'closing',
  'new_syn_recv',
];

export interface TcpSocket {
  family: 4 | 6;
  /** Text form; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is shown as IPv4. */
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  state: TcpState;
  uid: number;
  /** 0 for sockets no process holds (TIME_WAIT, request sockets). */
  inode: number;
}

/** RFC 5952 text: lower case, the longest run (2+) of zero groups as `::`, the first of equal runs. */
export function formatIpv6(groups: readonly number[]): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}
