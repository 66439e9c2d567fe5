import type { TcpSocket, TcpState } from '../../platforms/net';
import type { Direction } from '../metrics/connection-metrics';

/** One connection the host did not have at the previous read. */
export interface NewConnection {
  time: Date;
  direction: Direction;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

export interface PollResult {
  fresh: NewConnection[];
  states: Map<TcpState, number>;
  listening: Set<number>;
}

const tupleKey = (s: TcpSocket) => `${s.localAddress}|${s.localPort}|${s.remoteAddress}|${s.remotePort}`;

/**
 * What changed between two reads of the socket tables. A connection is its
 * 4-tuple plus its inode, so a tuple reused by a new socket is new; a socket
 * that lost its inode (closed: TIME_WAIT) or gains one (a request socket
 * accepted) is the same connection. Listening sockets are not connections;
 * they give the listening ports that make a connection inbound. The first
 * read only learns what is there (not reported as new).
 */
export class ConnectionTracker {
  private seen = new Map<string, number>();
  private primed = false;

  update(rows: readonly TcpSocket[], now: Date): PollResult {
    const states = new Map<TcpState, number>();
    const listening = new Set<number>();
    for (const r of rows) {
      states.set(r.state, (states.get(r.state) ?? 0) + 1);
      if (r.state === 'listen') listening.add(r.localPort);
    }
    const next = new Map<string, number>();
    const fresh: NewConnection[] = [];
    for (const r of rows) {
      if (r.state === 'listen' || r.state === 'close') continue;
      const key = tupleKey(r);
      const before = this.seen.get(key);
      const inode = r.inode !== 0 ? r.inode : (before ?? 0);
      next.set(key, inode);
      const isNew = before === undefined || (before !== 0 && r.inode !== 0 && before !== r.inode);
      if (!isNew || !this.primed) continue;
      fresh.push({
        time: now,
        direction: listening.has(r.localPort) ? 'inbound' : 'outbound',
        localAddress: r.localAddress,
        localPort: r.localPort,
        remoteAddress: r.remoteAddress,
        remotePort: r.remotePort,
      });
    }
    this.seen = next;
    this.primed = true;
    return { fresh, states, listening };
  }

  /** Connections known after the last read. */
  get size(): number {
    return this.seen.size;
  }
}
