import * as dns from 'dns';
import { BlockList, isIP } from 'net';
import { interfaceAddresses } from '../../platforms/net/interfaces';
import { blockScript, nft, NFT_TABLE } from '../../platforms/net/nft';
import type { Logger } from '../log';
import type { ConnectionMetrics } from '../metrics/connection-metrics';

export interface BlockerOptions {
  /** --block-for: each block's own nftables timeout. */
  forMs: number;
  /** --block-allow CIDRs (and single addresses). */
  allow: readonly string[];
  /** The running sinks' host names or addresses: never blocked (resolved once at start). */
  sinkHosts: readonly string[];
  /** The nft binary (tests). */
  nftCommand?: string;
  /** The host's own addresses, asked at each block (tests give literals; default: every interface's). */
  ownAddresses?: () => Iterable<string>;
}

/** Adds one CIDR or address to a BlockList; false when it is neither. */
export function addCidr(list: BlockList, text: string): boolean {
  const [addr, bits, extra] = text.trim().split('/');
  const type = isIP(addr);
  if (type === 0 || extra !== undefined) return false;
  const family = type === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) {
    list.addAddress(addr, family);
    return true;
  }
  const n = Number(bits);
  if (!/^\d+$/.test(bits) || n > (type === 4 ? 32 : 128)) return false;
  list.addSubnet(addr, n, family);
  return true;
}

/**
 * --block-scanners: puts a scanner's address into the `inet hostpulse`
 * nftables sets (HostpulseTable) with a timeout, so the kernel drops its
 * packets and lifts the block by itself. Loopback, the host's own addresses,
 * the sink's address and --block-allow are never blocked.
 */
export class ScanBlocker {
  private readonly allow = new BlockList();
  private readonly sinkAddresses = new Set<string>();
  private readonly expiries = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly opts: BlockerOptions,
    private readonly metrics: ConnectionMetrics,
    private readonly logger: Logger,
  ) {
    for (const c of opts.allow) if (!addCidr(this.allow, c)) throw new Error(`not a CIDR: ${c}`);
    addCidr(this.allow, '127.0.0.0/8');
    addCidr(this.allow, '::1');
    for (const host of opts.sinkHosts) {
      if (isIP(host)) this.sinkAddresses.add(host);
      else {
        dns.lookup(host, { all: true }, (err, addrs) => {
          if (err)
            logger.warn(
              `--block-scanners: cannot resolve the sink host ${host} (${err.message}): only its name is protected`,
            );
          else for (const a of addrs) this.sinkAddresses.add(a.address);
        });
      }
    }
    logger.info(`--block-scanners: scanners go into nftables table ${NFT_TABLE} for ${Math.round(opts.forMs / 1000)}s`);
  }

  /** Why `address` must not be blocked, or undefined when it may be. */
  exempt(address: string): string | undefined {
    const type = isIP(address);
    if (type === 0) return 'not an address';
    if (this.allow.check(address, type === 4 ? 'ipv4' : 'ipv6')) return 'loopback or --block-allow';
    if (this.sinkAddresses.has(address)) return "the sink's address";
    for (const own of (this.opts.ownAddresses ?? interfaceAddresses)())
      if (own === address) return "one of the host's own addresses";
    return undefined;
  }

  /** Blocks `address` for --block-for (a no-op while it is blocked already). Never throws: a failure is logged. */
  async block(address: string, why: string): Promise<void> {
    if (this.closed || this.expiries.has(address)) return;
    const exempt = this.exempt(address);
    if (exempt !== undefined) {
      this.logger.warn(`--block-scanners: not blocking ${address}: ${exempt}`, {
        event: 'tcp_block_skipped',
        source: address,
        reason: exempt,
      });
      return;
    }
    try {
      await nft(blockScript(address, this.opts.forMs), this.opts.nftCommand);
    } catch (err) {
      this.logger.error(`--block-scanners: blocking ${address} failed: ${(err as Error).message}`, {
        event: 'tcp_block_failed',
        source: address,
      });
      return;
    }
    if (this.closed) return;
    const until = new Date(Date.now() + this.opts.forMs);
    const timer = setTimeout(() => {
      this.expiries.delete(address);
      this.metrics.blockedSources.set(this.expiries.size);
      this.logger.warn(`Block of ${address} expired`, { event: 'tcp_block_expired', source: address });
    }, this.opts.forMs);
    timer.unref();
    this.expiries.set(address, timer);
    this.metrics.blockedSources.set(this.expiries.size);
    this.logger.warn(`Blocked ${address} until ${until.toISOString()} (${why})`, {
      event: 'tcp_block',
      source: address,
      until: until.toISOString(),
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.expiries.values()) clearTimeout(t);
  }
}
