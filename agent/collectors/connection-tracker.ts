import { STATE_CLOSE, STATE_LISTEN, TCP_STATES, type TcpSocket, type TcpState } from '../../platforms/net';
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

/**
 * What the tracker needs of one row: numbers it reads for every row, and the
 * key and record it asks for only when it must (platforms/net's TcpRow
 * cursor, which builds them from the table's bytes on demand).
 */
export interface TrackedRow {
  /** 1..12, `TCP_STATES[state - 1]`. */
  readonly state: number;
  readonly localPort: number;
  readonly inode: number;
  /** The 4-tuple as a compact string, equal for the same tuple within one source of rows. */
  key(): string;
  socket(): TcpSocket;
}

/** A connection of the last read: its inode (0 once closed, or not yet accepted) and the read that saw it. */
interface Seen {
  inode: number;
  read: number;
}

/** A TcpSocket as a TrackedRow (literal rows in tests, the test oracle's readTcpSockets). */
function socketRow(s: TcpSocket): TrackedRow {
  return {
    state: TCP_STATES.indexOf(s.state) + 1,
    localPort: s.localPort,
    inode: s.inode,
    key: () => `${s.family}|${s.localAddress}|${s.localPort}|${s.remoteAddress}|${s.remotePort}`,
    socket: () => s,
  };
}

/**
 * What changed between two reads of the socket tables. A connection is its
 * 4-tuple plus its inode, so a tuple reused by a new socket is new; a socket
 * that lost its inode (closed: TIME_WAIT) or gains one (a request socket
 * accepted) is the same connection. Listening sockets are not connections;
 * they give the listening ports that make a connection inbound (decided at
 * the end of the read, so a listener printed after its connection counts).
 * The first read only learns what is there (not reported as new).
 *
 * One read is `begin()`, `row()` for every row, `end()`. A known connection
 * costs its key (one short string) and one Map lookup: its entry is updated
 * in place and marked with the read's number; `end()` drops the unmarked ones.
 * A record is built only for a new connection.
 */
export class ConnectionTracker {
  private readonly seen = new Map<string, Seen>();
  private primed = false;
  private read = 0;
  private readonly counts = new Array<number>(TCP_STATES.length + 1).fill(0);
  private listening = new Set<number>();
  private pending: TcpSocket[] = [];

  begin(): void {
    this.read++;
    this.counts.fill(0);
    this.listening = new Set();
    this.pending = [];
  }

  /** One row of the read. An arrow function: passed as a callback for every row. */
  readonly row = (r: TrackedRow): void => {
    const state = r.state;
    this.counts[state]++;
    if (state === STATE_LISTEN) {
      this.listening.add(r.localPort);
      return;
    }
    if (state === STATE_CLOSE) return;
    const key = r.key();
    const before = this.seen.get(key);
    let isNew: boolean;
    if (before === undefined) {
      this.seen.set(key, { inode: r.inode, read: this.read });
      isNew = true;
    } else {
      isNew = before.inode !== 0 && r.inode !== 0 && before.inode !== r.inode;
      if (r.inode !== 0) before.inode = r.inode;
      before.read = this.read;
    }
    if (isNew && this.primed) this.pending.push(r.socket());
  };

  end(now: Date): PollResult {
    const states = new Map<TcpState, number>();
    for (let code = 1; code <= TCP_STATES.length; code++)
      if (this.counts[code] > 0) states.set(TCP_STATES[code - 1], this.counts[code]);
    const fresh = this.pending.map((s): NewConnection => ({
      time: now,
      direction: this.listening.has(s.localPort) ? 'inbound' : 'outbound',
      localAddress: s.localAddress,
      localPort: s.localPort,
      remoteAddress: s.remoteAddress,
      remotePort: s.remotePort,
    }));
    this.seen.forEach(this.dropGone);
    this.pending = [];
    this.primed = true;
    return { fresh, states, listening: this.listening };
  }

  private readonly dropGone = (e: Seen, key: string): void => {
    if (e.read !== this.read) this.seen.delete(key);
  };

  /** One whole read given as records. */
  update(rows: readonly TcpSocket[], now: Date): PollResult {
    this.begin();
    for (const r of rows) this.row(socketRow(r));
    return this.end(now);
  }

  /** Connections known after the last read. */
  get size(): number {
    return this.seen.size;
  }
}
