import * as os from 'os';
import type { Options } from 'yargs';
import { SAMPLER_NAMES } from '../../platforms/registry';
import { COLLECTOR_CATALOGUE } from './collector-catalogue';
import { GROUP_BY } from './group-by';

type AuthFlag = 'username' | 'password-file' | 'bearer-token-file' | 'ca-file' | 'cert-file' | 'key-file';

/**
 * A backend's auth and TLS flags, `--<prefix>-username` ... `--<prefix>-key-file`:
 * one definition for every HTTP backend, read back by buildClientAuth(prefix).
 */
type AuthOptions<P extends string> = Record<`${P}-${AuthFlag}`, { type: 'string'; describe: string; group: string }>;

export function clientAuthOptions<P extends string>(prefix: P, group: string, peer: string): AuthOptions<P> {
  const option = (describe: string) => ({ type: 'string' as const, describe, group });
  return {
    [`${prefix}-username`]: option('basic-auth user name'),
    [`${prefix}-password-file`]: option(
      'file holding the basic-auth password (never pass secrets as flags: ps shows them)',
    ),
    [`${prefix}-bearer-token-file`]: option('file holding a bearer token'),
    [`${prefix}-ca-file`]: option(`PEM CA bundle to verify ${peer}`),
    [`${prefix}-cert-file`]: option('PEM client certificate (mutual TLS)'),
    [`${prefix}-key-file`]: option('PEM client key (mutual TLS)'),
    // Computed keys widen to string; the six written here are exactly AuthFlag's.
  } as AuthOptions<P>;
}

/**
 * The options of `run` and `once`. Each is also read from HOSTPULSE_<NAME>
 * (e.g. HOSTPULSE_PUSHGATEWAY_URL) and from the --config file; a flag wins
 * over the environment, the environment over the file (yargs' precedence).
 */
export const AGENT_OPTIONS = {
  'pushgateway-url': {
    type: 'string',
    default: 'http://127.0.0.1:9091',
    describe: 'Pushgateway base URL (http or https)',
    group: 'Pushgateway:',
  },
  job: { type: 'string', default: 'hostpulse', describe: 'job label of the pushed group', group: 'Pushgateway:' },
  instance: {
    type: 'string',
    default: os.hostname(),
    defaultDescription: 'the hostname',
    describe: 'instance label of the pushed group',
    group: 'Pushgateway:',
  },
  'push-timeout': {
    type: 'string',
    describe: 'timeout of one push',
    defaultDescription: 'the interval, at most 10s',
    group: 'Pushgateway:',
  },
  ...clientAuthOptions('pushgateway', 'Pushgateway:', 'the Pushgateway'),
  interval: {
    type: 'string',
    default: '15s',
    describe:
      'time between pushes: 500ms, 1s, 15s, 1m (the first cycle waits a fixed per-host splay within one interval)',
    group: 'Sampling:',
  },
  top: {
    type: 'number',
    default: 20,
    describe: 'per-pid series only for the N largest processes by RSS; every process still counts in its group',
    group: 'Sampling:',
  },
  // --- process selection and grouping (top-cpu, top-hold, max-groups, group-by) ---
  'top-cpu': {
    type: 'number',
    default: 5,
    describe: 'per-pid series also for the N processes that used the most CPU over the last interval',
    group: 'Sampling:',
  },
  'top-hold': {
    type: 'number',
    default: 3,
    describe: 'a process that drops out of both tops keeps its per-pid series this many more cycles (no flapping)',
    group: 'Sampling:',
  },
  'max-groups': {
    type: 'number',
    default: 100,
    describe:
      'most group series per host (group="other" included): the smallest groups by RSS fold into group="other", so sums stay exact',
    group: 'Sampling:',
  },
  'group-by': {
    type: 'string',
    default: 'comm',
    choices: [...GROUP_BY],
    describe:
      'what a group is: comm, cgroup (systemd unit, container, pod), user (real uid), rules (--group-rules); cgroup, user and rules need the procfs sampler',
    group: 'Sampling:',
  },
  'group-rules': {
    type: 'string',
    describe:
      'YAML file of ordered rules {name, comm, cmdline, cgroup, user} for --group-by rules; unmatched processes go to group "other"',
    group: 'Sampling:',
  },
  // --- end of process selection and grouping ---
  // --- per-process detail for the exported pids (--process-detail) ---
  'process-detail': {
    type: 'string',
    describe:
      'extra per-pid series, read only for the pids exported this cycle, comma-separated (a YAML list in --config): ' +
      'pss (PSS and USS from smaps_rollup), io (bytes read and written), fds (open fds and their soft limit); needs the procfs sampler',
    defaultDescription: 'none',
    group: 'Sampling:',
  },
  'process-detail-pss-per-cycle': {
    type: 'number',
    default: 1,
    describe:
      'most exported pids whose smaps_rollup (and fd limit) are read per cycle: the kernel walks the whole page table, ~1.3 ms per 200 MB process; ' +
      'those never read first, then the longest unread; the others keep their last PSS/USS and limit',
    group: 'Sampling:',
  },
  // --- end of per-process detail ---
  collectors: {
    type: 'string',
    describe:
      'collectors to run, comma-separated (a YAML list in --config). A plain list replaces the default; ' +
      '+name/-name add to or remove from it (write --collectors=-processes: a bare -p... is read as flags). ' +
      COLLECTOR_CATALOGUE.map((c) => `${c.name}: ${c.describe}`).join('; '),
    defaultDescription: 'every collector that can run here',
    group: 'Sampling:',
  },
  sampler: {
    type: 'string',
    default: 'auto',
    choices: ['auto', ...SAMPLER_NAMES],
    describe: 'how processes are read: procfs (Linux default), ps or top',
    group: 'Sampling:',
  },
  'kmsg-path': {
    type: 'string',
    default: '/dev/kmsg',
    describe: 'kernel log the oom collector follows (history at start is skipped)',
    group: 'OOM kills:',
  },
  'oom-max-victims': {
    type: 'number',
    default: 20,
    describe: 'distinct victim comms with their own hostpulse_oom_* series; later ones are counted under comm="other"',
    group: 'OOM kills:',
  },
  'on-oom': {
    type: 'string',
    describe:
      'command run (sh -c) for each OOM kill, the kill as JSON on its stdin (host, job, instance, pid, comm, uid, cgroup, ' +
      'oomCgroup, constraint, rssBytes, time; also as HOSTPULSE_OOM_* variables, with PATH its whole environment); its own ' +
      "process group, without the agent's ambient capabilities; one at a time, up to 16 waiting (more are dropped and " +
      'counted); never delays pushes',
    group: 'OOM kills:',
  },
  'on-oom-timeout': {
    type: 'string',
    default: '30s',
    describe: 'an --on-oom command still running after this is killed with its whole process group (SIGKILL)',
    group: 'OOM kills:',
  },
  'connections-interval': {
    type: 'string',
    default: '10s',
    describe:
      'connections collector: how often /proc/net/tcp and tcp6 are read (its own timer, independent of --interval)',
    group: 'Connections:',
  },
  'connections-source': {
    type: 'string',
    default: 'poll',
    choices: ['poll', 'conntrack'],
    describe:
      'where new connections come from: poll (diff of two reads; misses connections opened and closed in between) or conntrack (`conntrack -E` events, Debian package conntrack; needs CAP_NET_ADMIN)',
    group: 'Connections:',
  },
  'scan-ports': {
    type: 'number',
    default: 3,
    describe: 'a source connecting to MORE than this many host ports within --scan-window is a port scan',
    group: 'Connections:',
  },
  'scan-window': { type: 'string', default: '1m', describe: 'the port-scan window', group: 'Connections:' },
  'block-scanners': {
    type: 'boolean',
    default: false,
    describe:
      'put each scanner in the nftables table `inet hostpulse` (created at start, removed at exit) for --block-for; needs nft and CAP_NET_ADMIN',
    group: 'Connections:',
  },
  'block-open-port-scans': {
    type: 'boolean',
    default: false,
    describe:
      'with --block-scanners, also block a source that connects to more than --scan-ports OPEN ports (a load balancer or ' +
      'health checker does that); by default only probes of closed ports, which only --connections-source conntrack sees, block',
    group: 'Connections:',
  },
  'block-for': {
    type: 'string',
    default: '1h',
    describe: 'how long a block lasts (the kernel expires it)',
    group: 'Connections:',
  },
  'block-allow': {
    type: 'string',
    array: true,
    describe:
      "CIDR never blocked (repeatable; loopback, the host's own addresses and the Pushgateway are never blocked anyway)",
    group: 'Connections:',
  },
  'procfs-root': { type: 'string', default: '/proc', describe: 'where procfs is mounted', group: 'Sampling:' },
  // Sinks: where cycles go (README "Sinks"); several at once, each on its own.
  sink: {
    type: 'string',
    array: true,
    default: ['pushgateway'],
    describe:
      'where cycles go, repeatable (--sink pushgateway --sink graphite; comma-separated in HOSTPULSE_SINK; a YAML list in --config): ' +
      'pushgateway (PUT, no timestamps), remote-write (any Prometheus remote-write receiver, buffered), ' +
      'graphite (plaintext over TCP, buffered), statsd (gauges over UDP), scrape (serve /metrics for Prometheus to pull; `run` only). ' +
      'A failing sink never holds up another',
    group: 'Sinks:',
  },
  'listen-address': {
    type: 'string',
    describe:
      '--sink scrape: where /metrics (and /, /-/healthy, /-/ready) is served, HOST:PORT or :PORT for every address of the host',
    defaultDescription: ':19150',
    group: 'Sinks:',
  },
  'web-config-file': {
    type: 'string',
    describe:
      '--sink scrape: TLS and basic auth of the endpoint, in the exporter-toolkit format every Prometheus exporter reads ' +
      '(tls_server_config: cert_file, key_file, client_ca_file, client_auth_type, min/max_version; basic_auth_users: user: bcrypt hash)',
    group: 'Sinks:',
  },
  'graphite-address': {
    type: 'string',
    default: '127.0.0.1:2003',
    describe: 'carbon (Graphite) plaintext receiver, HOST or HOST:PORT (port 2003 when omitted); --sink graphite',
    group: 'Sinks:',
  },
  'graphite-prefix': {
    type: 'string',
    default: 'hostpulse',
    describe:
      'first path elements of every Graphite and statsd path (dot-separated; "" for none): <prefix>.<host>.<comm>.<pid>.rss',
    group: 'Sinks:',
  },
  'graphite-timeout': {
    type: 'string',
    default: '5s',
    describe: 'longest one write to carbon (connect included) and one flush of the graphite buffer may take',
    group: 'Sinks:',
  },
  'statsd-address': {
    type: 'string',
    default: '127.0.0.1:8125',
    describe: 'statsd daemon, HOST or HOST:PORT (port 8125 when omitted); --sink statsd',
    group: 'Sinks:',
  },
  'statsd-max-datagram': {
    type: 'number',
    default: 1432,
    describe:
      'largest UDP datagram of statsd gauges, bytes (1432 fits one Ethernet frame; 8932 for jumbo frames; 64-65507)',
    group: 'Sinks:',
  },
  'remote-write-url': {
    type: 'string',
    describe: 'remote-write endpoint, e.g. http://victoria:8428/api/v1/write or http://prometheus:9090/api/v1/write',
    group: 'Remote write:',
  },
  'remote-write-header': {
    type: 'string',
    array: true,
    describe: "extra request header 'Name: value', repeatable (X-Scope-OrgID for Mimir and Cortex)",
    group: 'Remote write:',
  },
  ...clientAuthOptions('remote-write', 'Remote write:', 'the receiver'),
  'buffer-dir': {
    type: 'string',
    describe:
      'directory for unsent remote-write requests, and graphite lines in its graphite/ subdirectory (survives restarts and kill -9; one agent per directory)',
    defaultDescription: 'in memory, lost on restart',
    group: 'Remote write:',
  },
  'buffer-max-bytes': {
    type: 'string',
    default: '64MiB',
    describe:
      "bound of each buffered sink's unsent data (remote write, graphite); when full the oldest samples are dropped and counted",
    group: 'Remote write:',
  },
  // --- spool: batch jobs' files delivered once (README "Spool") ---
  'spool-dir': {
    type: 'string',
    describe:
      'directory where batch jobs drop *.prom files (exposition text; job = name up to the first dot): each complete, valid file is ' +
      'delivered through the sink under that job and this --instance, then deleted; bad ones go to DIR/failed/. Enables the spool collector',
    group: 'Spool:',
  },
  'spool-settle': {
    type: 'string',
    default: '30s',
    describe:
      'a file written in place (not renamed into place) is complete once its size and mtime held this long, and nobody has it open for writing',
    group: 'Spool:',
  },
  'spool-max-bytes': {
    type: 'string',
    default: '1MiB',
    describe: 'larger spool files are moved to failed/ unread',
    group: 'Spool:',
  },
  // --- end of spool ---
  'log-level': {
    type: 'string',
    default: 'info',
    choices: ['error', 'warn', 'info', 'debug'],
    describe: 'log verbosity',
    group: 'Logging:',
  },
  'log-format': {
    type: 'string',
    choices: ['json', 'text'],
    defaultDescription: 'json when stderr is not a TTY, else text',
    describe: 'log line format (logs go to stderr)',
    group: 'Logging:',
  },
} satisfies Record<string, Options>;

export type AgentOptionName = keyof typeof AGENT_OPTIONS;
export const AGENT_OPTION_NAMES = Object.keys(AGENT_OPTIONS) as AgentOptionName[];

/** Options that take a list: in the config file they may be a YAML list. */
export const AGENT_LIST_OPTIONS: readonly AgentOptionName[] = ['collectors', 'block-allow', 'process-detail', 'sink'];
