/**
 * One line of `conntrack -E -e NEW -p tcp` (conntrack-tools), e.g.
 *   `    [NEW] tcp      6 120 SYN_SENT src=10.200.1.2 dst=10.200.1.1 sport=40312 dport=80 [UNREPLIED] src=10.200.1.1 dst=10.200.1.2 sport=80 dport=40312`
 * The first src/dst/sport/dport are the original direction: who opened the
 * connection to whom. Pure.
 */
export interface ConntrackNew {
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

const ORIGINAL = /\[NEW\]\s+tcp\s.*?\bsrc=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/;

export function parseConntrackNew(line: string): ConntrackNew | undefined {
  const m = ORIGINAL.exec(line);
  if (!m) return undefined;
  const sport = Number(m[3]);
  const dport = Number(m[4]);
  if (sport > 65535 || dport > 65535) return undefined;
  return { src: m[1], dst: m[2], sport, dport };
}
