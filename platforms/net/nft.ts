import { execFile, spawnSync } from 'child_process';
import { isIPv4 } from 'net';

/** The nftables table hostpulse owns: created at start, deleted at exit, nothing else touched. */
export const NFT_TABLE = 'inet hostpulse';

/**
 * The table: two sets with per-element timeouts (the kernel expires a block by
 * itself) and one input chain that drops what is in them. `add` is idempotent,
 * so a second agent start (or a reload) keeps the blocks already in the sets;
 * the chain is flushed and filled again so it holds exactly these rules.
 * `track`: a `ct state new` rule, which is what makes the kernel track
 * connections in a network namespace whose ruleset has no conntrack rule of
 * its own (since Linux 4.15 conntrack hooks are registered only on demand):
 * without it `conntrack -E` stays silent there.
 */
export function tableScript(track: boolean): string {
  return [
    `add table ${NFT_TABLE}`,
    `add set ${NFT_TABLE} scanners4 { type ipv4_addr; flags timeout; }`,
    `add set ${NFT_TABLE} scanners6 { type ipv6_addr; flags timeout; }`,
    `add chain ${NFT_TABLE} input { type filter hook input priority filter - 10; policy accept; }`,
    `flush chain ${NFT_TABLE} input`,
    ...(track ? [`add rule ${NFT_TABLE} input ct state new counter`] : []),
    `add rule ${NFT_TABLE} input ip saddr @scanners4 drop`,
    `add rule ${NFT_TABLE} input ip6 saddr @scanners6 drop`,
    '',
  ].join('\n');
}

/** The element to add for one address: `--block-for` becomes the element's own timeout. */
export function blockScript(address: string, forMs: number): string {
  const set = isIPv4(address) ? 'scanners4' : 'scanners6';
  return `add element ${NFT_TABLE} ${set} { ${address} timeout ${Math.max(1, Math.ceil(forMs / 1000))}s }\n`;
}

/** Runs `nft -f -` with `script` on stdin, synchronously. Throws with nft's own message. */
export function nftSync(script: string, command = 'nft'): void {
  const r = spawnSync(command, ['-f', '-'], { input: script, encoding: 'utf8', timeout: 5000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${command} is not installed (Debian/Ubuntu package "nftables")`
        : `${command} -f -: ${r.error.message}`,
    );
  }
  if (r.status !== 0) throw new Error(`${command} -f - exited ${String(r.status ?? r.signal)}: ${r.stderr.trim()}`);
}

/** Runs `nft -f -` without blocking the event loop. */
export function nft(script: string, command = 'nft'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, ['-f', '-'], { timeout: 5000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${command} -f -: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
    child.stdin?.end(script);
  });
}

/** Whether the table exists (tests, and the start-up check). */
export function nftTableExists(command = 'nft'): boolean {
  const r = spawnSync(command, ['list', 'table', 'inet', 'hostpulse'], { encoding: 'utf8', timeout: 5000 });
  return r.status === 0;
}
