import { ScanBlocker } from '../../agent/collectors/scan-blocker';
import { ConnectionMetrics } from '../../agent/metrics/connection-metrics';
import { memoryLogger } from '../support/memory-logger';

const OWN = ['10.0.0.5', 'fd00:200::1', '127.0.0.1', '::1'];
/** nft is never reached in these tests: a block that gets that far fails on this path and says so. */
const NO_NFT = '/nonexistent/hostpulse-test-nft';

function blocker(allow: string[] = ['198.51.100.0/24', '2001:db8:1::/48', '203.0.113.9']) {
  const { logger, lines } = memoryLogger();
  const b = new ScanBlocker(
    { forMs: 60_000, allow, sinkHosts: ['192.0.2.10'], nftCommand: NO_NFT, ownAddresses: () => OWN },
    new ConnectionMetrics(),
    logger,
  );
  return { b, lines };
}

describe('ScanBlocker allow-list: never blocked', () => {
  it.each([
    ['127.0.0.1', 'loopback or --block-allow'],
    ['127.5.6.7', 'loopback or --block-allow'],
    ['::1', 'loopback or --block-allow'],
    ['10.0.0.5', "one of the host's own addresses"],
    ['fd00:200::1', "one of the host's own addresses"],
    ['192.0.2.10', "the sink's address"],
    ['198.51.100.77', 'loopback or --block-allow'],
    ['203.0.113.9', 'loopback or --block-allow'],
    ['2001:db8:1:ffff::5', 'loopback or --block-allow'],
    ['not-an-ip', 'not an address'],
  ])('%s: %s', (address, reason) => {
    expect(blocker().b.exempt(address)).toBe(reason);
  });

  it.each(['192.0.2.56', '10.0.0.6', '198.51.101.1', '203.0.113.8', '2001:db8:2::5', 'fd00:200::2'])(
    '%s may be blocked',
    (address) => {
      expect(blocker().b.exempt(address)).toBeUndefined();
    },
  );

  it('an exempt scanner is logged as skipped and never reaches nft; another one does', async () => {
    const { b, lines } = blocker();
    await b.block('10.0.0.5', 'port scan of 4 ports');
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        event: 'tcp_block_skipped',
        source: '10.0.0.5',
        reason: "one of the host's own addresses",
      }),
    );
    expect(lines.some((l) => l.event === 'tcp_block_failed')).toBe(false);
    await b.block('192.0.2.56', 'port scan of 4 ports');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', event: 'tcp_block_failed', source: '192.0.2.56' }),
    );
    b.close();
  });

  it('a --block-allow entry that is not a CIDR is refused at start', () => {
    expect(() => blocker(['10.0.0.0/33'])).toThrow('not a CIDR: 10.0.0.0/33');
    expect(() => blocker(['example.org'])).toThrow('not a CIDR: example.org');
  });
});
