/**
 * The collectors' names and one-line descriptions, data only: --help and the
 * config read these without loading any collector (kmsg, nft, the spool).
 * agent/collectors/registry.ts builds each collector from its entry here, and
 * a test holds the two equal. In exposition order.
 */
export interface CollectorEntry {
  readonly name: string;
  /** One line for --help and docs/collectors.md. */
  readonly describe: string;
  /** Not in the default set: runs only when asked for (`--collectors +name`). */
  readonly optIn?: boolean;
}

export const COLLECTOR_CATALOGUE = [
  {
    name: 'processes',
    describe:
      'every process folded into groups, per-pid series for the --top largest and --top-cpu busiest (from --sampler)',
  },
  {
    name: 'host',
    describe: 'host memory, swap, CPU, load, OOM-kill count and memory pressure',
  },
  {
    name: 'oom',
    describe:
      'which process each OOM kill took, read from the kernel log (--kmsg-path; needs CAP_SYSLOG where kernel.dmesg_restrict=1)',
  },
  {
    name: 'connections',
    describe:
      'opt-in: new TCP connections and port scans from /proc/net/tcp{,6} (or conntrack events), logged and counted; --block-scanners blocks scanners with nftables',
    optIn: true,
  },
  {
    name: 'cgroups',
    describe:
      'opt-in: memory cgroups (slices, units, containers, pods): usage, limit, memory events and pressure, up to --max-groups by usage (cgroup v1 or v2)',
    optIn: true,
  },
  {
    name: 'spool',
    describe:
      "batch jobs' *.prom files in --spool-dir: each complete, valid one delivered once through the sink and deleted (runs when --spool-dir is given)",
  },
] as const satisfies readonly CollectorEntry[];

export type CollectorName = (typeof COLLECTOR_CATALOGUE)[number]['name'];

/** The catalogue's entry of one collector. */
export function catalogueEntry(name: CollectorName): CollectorEntry {
  const entry = COLLECTOR_CATALOGUE.find((c) => c.name === name);
  // Unreachable: CollectorName admits only the catalogue's names.
  if (entry === undefined) throw new Error(`no collector ${name} in the catalogue`);
  return entry;
}
