import { TCP_STATES, type TcpState } from '../../platforms/net';
import { FamilySet } from './families';

export type Direction = 'inbound' | 'outbound';

/**
 * TCP connections (connections collector). No address or port labels: those
 * go to the log, never into series (docs/collectors.md, "What each series means").
 */
export class ConnectionMetrics extends FamilySet {
  readonly connections = this.gauge(
    'hostpulse_tcp_connections',
    'TCP sockets in /proc/net/tcp and tcp6 at the last read, by state.',
    ['state'],
  );
  readonly newConnections = this.counter(
    'hostpulse_tcp_new_connections_total',
    'New TCP connections seen since the agent started, by direction (inbound: to a listening local port).',
    ['direction'],
  );
  readonly portScans = this.counter(
    'hostpulse_tcp_port_scans_total',
    'Port scans detected: a source connecting to more than --scan-ports host ports within --scan-window.',
  );
  readonly blockedSources = this.gauge(
    'hostpulse_tcp_blocked_sources',
    'Source addresses in the --block-scanners nftables sets now.',
  );
  readonly conntrackRestarts = this.counter(
    'hostpulse_tcp_conntrack_restarts_total',
    'Times the conntrack event stream ended and was started again (--connections-source conntrack).',
  );

  constructor() {
    super();
    this.newConnections.inc({ direction: 'inbound' }, 0);
    this.newConnections.inc({ direction: 'outbound' }, 0);
    this.portScans.inc(0);
    this.blockedSources.set(0);
  }

  /** Replaces the by-state counts with one read's (every state present, 0 where none). */
  setStates(counts: ReadonlyMap<TcpState, number>): void {
    for (const s of TCP_STATES) this.connections.set({ state: s }, counts.get(s) ?? 0);
  }
}
