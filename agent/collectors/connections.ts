import { TcpTableReader, type TcpState } from '../../platforms/net';
import { ConntrackFollower } from '../../platforms/net/conntrack';
import { interfaceAddresses } from '../../platforms/net/interfaces';
import type { ConntrackNew } from '../../platforms/net/conntrack-event';
import type { Logger } from '../log';
import { ConnectionMetrics } from '../metrics/connection-metrics';
import type { Collector, Incomplete } from './collector';
import { ConnectionTracker, type NewConnection } from './connection-tracker';
import type { SampleProblems } from './problems';
import { ScanDetector, type PortScan } from './scan-detector';
import type { HostpulseTable } from './hostpulse-table';
import type { ScanBlocker } from './scan-blocker';

export type ConnectionsSource = 'poll' | 'conntrack';

export interface ConnectionsOptions {
  procfsRoot: string;
  /** --connections-interval: how often the socket tables are read (its own timer). */
  intervalMs: number;
  source: ConnectionsSource;
  scanPorts: number;
  scanWindowMs: number;
  /** A scan of open ports blocks too (without it only closed-port probes, seen by conntrack, do). */
  blockOpenPortScans?: boolean;
  /** The conntrack binary (tests). */
  conntrackCommand?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `2021-04-28 15:28:05`, local time, as the exercise prints it. */
export function stamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
const endpoint = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

/**
 * Who connects to the host (README, "Connections"). The socket tables are read
 * every --connections-interval on the collector's own timer, whatever the push
 * interval; new connections come from that diff (`poll`) or from the kernel's
 * connection tracker (`conntrack`, which also sees connections too short for
 * a poll). Each new one is logged; inbound ones feed the scan detector, whose
 * scans are logged, counted and (with --block-scanners) blocked. collect()
 * writes what accumulated; it does no I/O.
 */
export class ConnectionsCollector implements Collector {
  readonly name = 'connections';
  readonly families;
  private readonly tracker = new ConnectionTracker();
  private readonly reader: TcpTableReader;
  private readonly detector: ScanDetector;
  /** Inbound attempts at ports nothing listens on (conntrack only): what a scanner makes and a health checker does not. */
  private readonly probes: ScanDetector;
  /** Ports listening at the last read of the socket tables. */
  private listening = new Set<number>();
  private readonly timer: NodeJS.Timeout;
  private readonly follower: ConntrackFollower | undefined;
  private states: Map<TcpState, number> | undefined;
  private readError: Error | undefined;
  private localAddresses = new Set<string>();
  private blocker: ScanBlocker | undefined;
  /** conntrack -E has ended and no event has come since. */
  private conntrackDown = false;
  private conntrackRestarts = 0;
  private table: HostpulseTable | undefined;

  constructor(
    private readonly opts: ConnectionsOptions,
    private readonly problems: SampleProblems,
    private readonly logger: Logger,
    /** A reload passes the running collector's: the counters carry on. */
    readonly metrics = new ConnectionMetrics(),
  ) {
    this.families = this.metrics.families;
    this.detector = new ScanDetector(opts.scanPorts, opts.scanWindowMs);
    this.probes = new ScanDetector(opts.scanPorts, opts.scanWindowMs);
    this.reader = new TcpTableReader(opts.procfsRoot);
    this.poll();
    if (this.states)
      logger.info(
        `connections: ${this.tracker.size} connections open at start (not reported as new); reading every ${opts.intervalMs} ms, new ones from ${opts.source}`,
      );
    this.timer = setInterval(() => this.poll(), opts.intervalMs);
    this.timer.unref();
    if (opts.source === 'conntrack') {
      this.follower = new ConntrackFollower(
        {
          onNew: (c) => this.conntrackNew(c),
          onMalformed: (line) => problems.sink('malformed_conntrack', `not a conntrack event: ${line.slice(0, 160)}`),
          onExit: (reason, restartInMs) => {
            this.metrics.conntrackRestarts.inc();
            this.conntrackRestarts++;
            // Once per change of state: a conntrack that keeps dying is one warning (the rest at debug), its return one line.
            if (this.conntrackDown) {
              logger.debug(`connections: ${reason}; restarting in ${restartInMs} ms`);
              return;
            }
            this.conntrackDown = true;
            logger.warn(
              `connections: ${reason}; restarting in ${restartInMs} ms, backing off to 30 s while it fails (logged again when events flow)`,
              { event: 'conntrack_down' },
            );
          },
        },
        opts.conntrackCommand,
      );
      this.follower.start();
    }
  }

  /** The nftables table it holds (conntrack, --block-scanners) and, with --block-scanners, the blocker; released with it. */
  useTable(table: HostpulseTable, blocker: ScanBlocker | undefined): void {
    this.table = table;
    this.blocker = blocker;
  }

  async collect(): Promise<Incomplete | undefined> {
    if (this.readError) throw this.readError;
    if (this.states) this.metrics.setStates(this.states);
    return this.problems.takeIncomplete();
  }

  close(): void {
    clearInterval(this.timer);
    this.follower?.close();
    this.blocker?.close();
    this.table?.release();
  }

  /** One read of the socket tables. Errors are kept for collect() to report. */
  private poll(): void {
    const now = new Date();
    let result;
    try {
      this.tracker.begin();
      this.reader.read(this.tracker.row, this.malformed);
      result = this.tracker.end(now);
    } catch (err) {
      this.readError = err as Error;
      return;
    }
    this.readError = undefined;
    this.states = result.states;
    this.listening = result.listening;
    this.refreshLocalAddresses();
    if (this.opts.source === 'poll') for (const c of result.fresh) this.connection(c);
    this.detector.prune(now);
    this.probes.prune(now);
  }

  private readonly malformed = (line: string): void =>
    this.problems.sink('malformed_tcp_table', `not a /proc/net/tcp row: ${line.slice(0, 160)}`);

  private refreshLocalAddresses(): void {
    this.localAddresses = new Set(interfaceAddresses());
  }

  /**
   * conntrack's original direction: to one of the host's addresses is
   * inbound, from one is outbound. Neither is traffic the host forwards
   * (container or pod egress through a bridge, a router): not the host's
   * connection, so neither counted nor fed to the scan detector.
   */
  private conntrackNew(c: ConntrackNew): void {
    if (this.conntrackDown) {
      this.conntrackDown = false;
      this.logger.info(`connections: conntrack -E delivers events again (restarts so far: ${this.conntrackRestarts})`, {
        event: 'conntrack_up',
      });
    }
    const time = new Date();
    if (this.localAddresses.has(c.dst)) {
      this.connection(
        {
          time,
          direction: 'inbound',
          localAddress: c.dst,
          localPort: c.dport,
          remoteAddress: c.src,
          remotePort: c.sport,
        },
        !this.listening.has(c.dport),
      );
    } else if (this.localAddresses.has(c.src)) {
      this.connection({
        time,
        direction: 'outbound',
        localAddress: c.src,
        localPort: c.sport,
        remoteAddress: c.dst,
        remotePort: c.dport,
      });
    }
  }

  /** `closedPort`: an attempt at a port nothing listened on (conntrack sees those; a poll never does). */
  private connection(c: NewConnection, closedPort = false): void {
    this.metrics.newConnections.inc({ direction: c.direction });
    const local = endpoint(c.localAddress, c.localPort);
    const remote = endpoint(c.remoteAddress, c.remotePort);
    const [from, to] = c.direction === 'inbound' ? [remote, local] : [local, remote];
    this.logger.info(`${stamp(c.time)}: New connection: ${from} -> ${to}`, {
      event: 'tcp_connection',
      direction: c.direction,
      local_address: c.localAddress,
      local_port: c.localPort,
      remote_address: c.remoteAddress,
      remote_port: c.remotePort,
    });
    if (c.direction !== 'inbound') return;
    const scan = this.detector.see(c.remoteAddress, c.localAddress, c.localPort, c.time);
    if (scan) this.scan(scan);
    if (!closedPort) return;
    const probe = this.probes.see(c.remoteAddress, c.localAddress, c.localPort, c.time);
    if (probe) {
      this.logger.warn(`Closed-port probes from ${probe.source} -> ${probe.target} on ports ${probe.ports.join(',')}`, {
        event: 'tcp_closed_port_probe',
        source: probe.source,
        target: probe.target,
        ports: probe.ports,
      });
      void this.blocker?.block(probe.source, `probes of ${probe.ports.length} closed ports`);
    }
  }

  private scan(s: PortScan): void {
    this.metrics.portScans.inc();
    this.logger.warn(`Port scan detected: ${s.source} -> ${s.target} on ports ${s.ports.join(',')}`, {
      event: 'tcp_port_scan',
      source: s.source,
      target: s.target,
      ports: s.ports,
    });
    // Open ports are what a load balancer or health checker touches: blocking on them is opt-in.
    if (this.opts.blockOpenPortScans === true)
      void this.blocker?.block(s.source, `port scan of ${s.ports.length} ports`);
  }
}
