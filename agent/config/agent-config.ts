import { isIP } from 'net';
import { UsageError } from '../errors';
import { buildClientAuth, httpUrl } from './http-backend';
import { SAMPLER_NAMES, type SamplerName } from '../../platforms/registry';
import { durationFlag } from './duration';
import { buildSpoolConfig, type SpoolConfig } from './spool-config';
import { buildSinkConfig, type SinkConfig } from './sink-config';
import { readGroupRules, type GroupRule } from './group-rules';
import { GROUP_BY, type GroupBy } from './group-by';
import { parseProcessDetail } from './process-detail';
import type { DetailKind } from '../../platforms/types';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'text';

import type { PushAuth, PushTls } from './http-backend';
export type { PushAuth, PushTls };

/** The connections collector's settings (README, "Connections"). */
export interface ConnectionsConfig {
  intervalMs: number;
  source: 'poll' | 'conntrack';
  scanPorts: number;
  scanWindowMs: number;
  blockScanners: boolean;
  /** --block-open-port-scans: a scan of open ports (all that poll mode sees) blocks too. */
  blockOpenPortScans: boolean;
  blockForMs: number;
  blockAllow: string[];
}

/** Everything `run` and `once` need, validated. Built once before anything starts. */
export interface AgentConfig extends SinkConfig {
  pushgatewayUrl: URL;
  job: string;
  instance: string;
  intervalMs: number;
  pushTimeoutMs: number;
  top: number;
  // --- process selection and grouping ---
  /** Per-pid series also for the N busiest processes by CPU over the last interval. */
  topCpu: number;
  /** Cycles a process that dropped out of both tops stays exported. */
  topHold: number;
  /** Most group series per host; the smallest groups by RSS fold into "other". */
  maxGroups: number;
  groupBy: GroupBy;
  /** The validated --group-rules file (empty unless --group-by rules). */
  groupRules: GroupRule[];
  // --- end of process selection and grouping ---
  /** --process-detail: what is read for the exported pids (empty: nothing). */
  processDetail: DetailKind[];
  /** Most smaps_rollup (and limits) reads per cycle; the other exported pids keep earlier values. */
  processDetailPssPerCycle: number;
  /** The --collectors list as given (resolved against what can run here at start-up), or undefined for the default. */
  collectors: string | undefined;
  sampler: SamplerName | 'auto';
  procfsRoot: string;
  /** Kernel log the oom collector follows. */
  kmsgPath: string;
  /** Distinct victim comms with their own series (the rest fold into "other"). */
  oomMaxVictims: number;
  /** --on-oom command, run by sh -c for each kill. */
  onOom: string | undefined;
  onOomTimeoutMs: number;
  connections: ConnectionsConfig;
  logLevel: LogLevel;
  logFormat: LogFormat;
  auth: PushAuth;
  tls: PushTls;
  /** --spool-dir and its settings, when given. */
  spool: SpoolConfig | undefined;
}

/** Longest push timeout when none is given: a slow gateway must not stall sampling for long. */
const MAX_DEFAULT_PUSH_TIMEOUT_MS = 10_000;
const MIN_INTERVAL_MS = 100;

/**
 * Turn parsed flags/env/config values into an AgentConfig. Throws UsageError
 * with one line naming the field. Secret and certificate files are read here,
 * so a missing file stops start-up instead of failing every push.
 */
export function buildAgentConfig(argv: Record<string, unknown>, stderrIsTTY: boolean): AgentConfig {
  const str = (name: string): string | undefined => {
    const v = argv[name];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v)) throw new UsageError(`--${name} was given more than once`);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new UsageError(`--${name} must be a single value, not a map`);
    }
    return String(v);
  };
  const required = (name: string): string => {
    const v = str(name);
    if (v === undefined || v.trim() === '') throw new UsageError(`--${name} must not be empty`);
    return v;
  };

  const pushgatewayUrl = httpUrl('pushgateway-url', required('pushgateway-url'));

  const intervalMs = duration('interval', required('interval'));
  if (intervalMs < MIN_INTERVAL_MS) throw new UsageError(`--interval must be at least ${MIN_INTERVAL_MS}ms`);
  const timeoutText = str('push-timeout');
  const pushTimeoutMs =
    timeoutText === undefined
      ? Math.min(intervalMs, MAX_DEFAULT_PUSH_TIMEOUT_MS)
      : duration('push-timeout', timeoutText);

  const top = Number(argv.top);
  if (!Number.isInteger(top) || top < 0)
    throw new UsageError(`--top must be a whole number >= 0, got "${String(argv.top)}"`);

  // --- process selection and grouping ---
  const topCpu = wholeNumber(argv, 'top-cpu', 5, 0, 10_000);
  const topHold = wholeNumber(argv, 'top-hold', 3, 0, 10_000);
  const maxGroups = wholeNumber(argv, 'max-groups', 100, 1, 100_000);
  const groupBy = oneOf('group-by', str('group-by') ?? 'comm', GROUP_BY);
  const rulesFile = str('group-rules');
  if (groupBy === 'rules' && rulesFile === undefined) throw new UsageError('--group-by rules needs --group-rules FILE');
  if (groupBy !== 'rules' && rulesFile !== undefined)
    throw new UsageError(`--group-rules is only read with --group-by rules (--group-by is ${groupBy})`);
  const groupRules = rulesFile === undefined ? [] : readGroupRules(rulesFile);
  // --- end of process selection and grouping ---

  const oomMaxVictims = wholeNumber(argv, 'oom-max-victims', 20, 0, 1000);

  const onOom = str('on-oom');
  if (onOom !== undefined && onOom.trim() === '') throw new UsageError('--on-oom must not be empty');
  const onOomTimeoutMs = duration('on-oom-timeout', str('on-oom-timeout') ?? '30s');

  const sampler = required('sampler');
  if (sampler !== 'auto' && !(SAMPLER_NAMES as readonly string[]).includes(sampler)) {
    throw new UsageError(`--sampler "${sampler}" is unknown (choose auto, ${SAMPLER_NAMES.join(', ')})`);
  }
  const logLevel = oneOf('log-level', required('log-level'), ['error', 'warn', 'info', 'debug'] as const);
  const formatText = str('log-format');
  const logFormat =
    formatText === undefined
      ? stderrIsTTY
        ? 'text'
        : 'json'
      : oneOf('log-format', formatText, ['json', 'text'] as const);

  const { auth, tls } = buildClientAuth('pushgateway', str, pushgatewayUrl);

  return {
    pushgatewayUrl,
    job: required('job'),
    instance: str('instance') ?? '',
    intervalMs,
    pushTimeoutMs,
    top,
    topCpu,
    topHold,
    maxGroups,
    groupBy,
    groupRules,
    processDetail: parseProcessDetail(argv['process-detail']),
    processDetailPssPerCycle: wholeNumber(argv, 'process-detail-pss-per-cycle', 1, 1, 100_000),
    collectors: str('collectors'),
    sampler: sampler as SamplerName | 'auto',
    procfsRoot: required('procfs-root'),
    kmsgPath: str('kmsg-path') ?? '/dev/kmsg',
    oomMaxVictims,
    onOom,
    onOomTimeoutMs,
    connections: connectionsConfig(argv, str),
    logLevel,
    logFormat,
    auth,
    tls,
    // --sink and each sink's settings (pushgateway's are above: its flags predate --sink).
    ...buildSinkConfig(argv, str),
    spool: buildSpoolConfig(str),
  };
}

/** A whole-number flag within [min, max]; `fallback` when absent (tests build configs without yargs defaults). */
function wholeNumber(argv: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const raw = argv[name];
  if (Array.isArray(raw)) throw new UsageError(`--${name} was given more than once`);
  const n = raw === undefined || raw === null ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${String(raw)}"`);
  }
  return n;
}

function connectionsConfig(
  argv: Record<string, unknown>,
  str: (name: string) => string | undefined,
): ConnectionsConfig {
  const intervalMs = duration('connections-interval', str('connections-interval') ?? '10s');
  if (intervalMs < MIN_INTERVAL_MS)
    throw new UsageError(`--connections-interval must be at least ${MIN_INTERVAL_MS}ms`);
  const scanPorts = wholeNumber(argv, 'scan-ports', 3, 1, 65535);
  const blockAllow = ([] as unknown[])
    .concat(argv['block-allow'] ?? [])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  for (const c of blockAllow)
    if (!isCidr(c))
      throw new UsageError(
        `--block-allow "${c}" is not a CIDR or an address (examples: 10.0.0.0/8, 2001:db8::/32, 192.0.2.7)`,
      );
  const block = argv['block-scanners'];
  return {
    intervalMs,
    source: oneOf('connections-source', str('connections-source') ?? 'poll', ['poll', 'conntrack'] as const),
    scanPorts,
    scanWindowMs: duration('scan-window', str('scan-window') ?? '1m'),
    blockScanners: block === true || block === 'true',
    blockOpenPortScans: argv['block-open-port-scans'] === true || argv['block-open-port-scans'] === 'true',
    blockForMs: duration('block-for', str('block-for') ?? '1h'),
    blockAllow,
  };
}

function isCidr(text: string): boolean {
  const [addr, bits, extra] = text.split('/');
  const type = isIP(addr);
  if (type === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (type === 4 ? 32 : 128));
}

const duration = durationFlag;

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} "${value}" must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}
