import { nftSync, NFT_TABLE, tableScript } from '../../platforms/net/nft';
import type { Logger } from '../log';

/**
 * The nftables table `inet hostpulse`, held by the connections collector when
 * it blocks scanners or reads conntrack events. Created (or brought up to
 * date) when acquired: a missing nft or CAP_NET_ADMIN fails start-up. Deleted
 * when the last holder in the process releases it: a reload builds the new
 * collector before it closes the old one, so the table and its blocks carry
 * over a reload and are gone after exit.
 */
export class HostpulseTable {
  /** Holders in this process: one OS object shared by every generation of the collector. */
  private static holders = 0;
  private released = false;

  constructor(
    track: boolean,
    private readonly logger: Logger,
    private readonly nftCommand = 'nft',
  ) {
    nftSync(tableScript(track), nftCommand);
    HostpulseTable.holders++;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    HostpulseTable.holders--;
    if (HostpulseTable.holders > 0) return;
    try {
      nftSync(`delete table ${NFT_TABLE}\n`, this.nftCommand);
      this.logger.info(`nftables table ${NFT_TABLE} removed`);
    } catch (err) {
      this.logger.error(`removing nftables table ${NFT_TABLE} failed: ${(err as Error).message}`);
    }
  }
}
