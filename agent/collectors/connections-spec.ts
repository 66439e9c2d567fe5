import { conntrackUnavailable, tcpTableUnavailable } from '../../platforms/net';
import { spawnSync } from 'child_process';
import type { AgentConfig } from '../config/agent-config';
import type { Logger } from '../log';
import { ConnectionsCollector } from './connections';
import type { ConnectionMetrics } from '../metrics/connection-metrics';
import type { SampleProblems } from './problems';
import { HostpulseTable } from './hostpulse-table';
import { ScanBlocker } from './scan-blocker';

/** Why nft cannot manage a table here (not installed, or no CAP_NET_ADMIN), or undefined. */
function nftUnavailable(): string | undefined {
  const r = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8', timeout: 5000 });
  if (r.error) {
    return (r.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'nft is not installed (Debian/Ubuntu package "nftables")'
      : `nft: ${r.error.message}`;
  }
  if (r.status !== 0) return `nft list tables failed: ${r.stderr.trim()} (--block-scanners needs CAP_NET_ADMIN)`;
  return undefined;
}

/** Why the connections collector cannot run with this configuration, or undefined. */
export function connectionsUnavailable(config: AgentConfig): string | undefined {
  const c = config.connections;
  return (
    tcpTableUnavailable(config.procfsRoot) ??
    (c.source === 'conntrack' ? conntrackUnavailable() : undefined) ??
    (c.blockScanners || c.source === 'conntrack' ? nftUnavailable() : undefined)
  );
}

/** `metrics`: the running collector's, on a reload (its counters carry on). */
export function createConnections(
  config: AgentConfig,
  problems: SampleProblems,
  logger: Logger,
  metrics?: ConnectionMetrics,
): ConnectionsCollector {
  const c = config.connections;
  const collector = new ConnectionsCollector(
    {
      procfsRoot: config.procfsRoot,
      intervalMs: c.intervalMs,
      source: c.source,
      scanPorts: c.scanPorts,
      scanWindowMs: c.scanWindowMs,
      blockOpenPortScans: c.blockOpenPortScans,
    },
    problems,
    logger,
    metrics,
  );
  if (!c.blockScanners && c.source !== 'conntrack') return collector;
  try {
    const table = new HostpulseTable(c.source === 'conntrack', logger);
    const blocker = c.blockScanners
      ? new ScanBlocker(
          { forMs: c.blockForMs, allow: c.blockAllow, sinkHosts: sinkHosts(config) },
          collector.metrics,
          logger,
        )
      : undefined;
    collector.useTable(table, blocker);
    if (blocker && c.source === 'poll' && !c.blockOpenPortScans)
      logger.warn(
        '--block-scanners with --connections-source poll blocks nobody: polling sees only accepted connections to open ' +
          'ports, which a load balancer or health checker makes too; scans are logged and counted. Use ' +
          '--connections-source conntrack to block probes of closed ports, or --block-open-port-scans where no such peer exists',
        { event: 'block_poll_mode' },
      );
  } catch (err) {
    collector.close();
    throw err;
  }
  return collector;
}

/** Where the running sinks deliver: their addresses are never blocked, or the agent would cut itself off. */
function sinkHosts(config: AgentConfig): string[] {
  return config.sinks.map((name) => {
    if (name === 'remote-write' && config.remoteWrite !== undefined)
      return config.remoteWrite.url.hostname.replace(/^\[|\]$/g, '');
    if (name === 'graphite') return config.graphite.host;
    if (name === 'statsd') return config.statsd.host;
    return config.pushgatewayUrl.hostname.replace(/^\[|\]$/g, '');
  });
}
