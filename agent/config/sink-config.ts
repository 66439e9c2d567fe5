import { UsageError } from '../errors';
import { parseAddress, type SocketAddress } from './address';
import { durationFlag } from './duration';
import { buildRemoteWriteConfig, type RemoteWriteConfig } from './remote-write-config';
import { buildScrapeConfig, type ScrapeConfig } from './scrape-config';

export type { ScrapeConfig };
export type SinkName = 'pushgateway' | 'remote-write' | 'graphite' | 'statsd' | 'scrape';
export const SINK_NAMES: readonly SinkName[] = ['pushgateway', 'remote-write', 'graphite', 'statsd', 'scrape'];

export interface GraphiteConfig extends SocketAddress {
  /** Path elements before `<host>.`, already sanitised (may be empty). */
  prefix: string[];
  /** One write attempt, and one drain of the buffer. */
  timeoutMs: number;
}

export interface StatsdConfig extends SocketAddress {
  prefix: string[];
  maxDatagramBytes: number;
}

/** Unsent samples of the buffered sinks (remote write, graphite). */
export interface BufferConfig {
  /** Undefined: kept in memory (lost on restart). */
  dir: string | undefined;
  maxBytes: number;
}

export interface SinkConfig {
  /** The sinks that run, each once, in the order given. */
  sinks: SinkName[];
  remoteWrite: RemoteWriteConfig | undefined;
  graphite: GraphiteConfig;
  statsd: StatsdConfig;
  buffer: BufferConfig;
  /** --sink scrape: where it listens and how it is guarded; undefined without that sink. */
  scrape: ScrapeConfig | undefined;
}

export const DEFAULT_BUFFER_MAX_BYTES = 64 * 1024 * 1024;
export const DEFAULT_GRAPHITE_PORT = 2003;
export const DEFAULT_STATSD_PORT = 8125;
/** Fits one Ethernet frame with IPv6 and UDP headers: statsd's own advice for the public internet. */
export const DEFAULT_STATSD_MAX_DATAGRAM = 1432;

type Str = (name: string) => string | undefined;

/**
 * `--sink` (repeatable, comma-separated in HOSTPULSE_SINK, a YAML list in
 * --config) and each chosen sink's flags. Throws UsageError naming the flag.
 */
export function buildSinkConfig(argv: Record<string, unknown>, str: Str): SinkConfig {
  const sinks = parseSinkList(argv.sink);
  const remoteWrite = sinks.includes('remote-write') ? buildRemoteWriteConfig(argv, str) : undefined;
  const graphite: GraphiteConfig = {
    ...parseAddress('graphite-address', str('graphite-address') ?? '127.0.0.1', DEFAULT_GRAPHITE_PORT),
    prefix: parsePrefix('graphite-prefix', str('graphite-prefix') ?? 'hostpulse'),
    timeoutMs: durationFlag('graphite-timeout', str('graphite-timeout') ?? '5s'),
  };
  const maxText = str('statsd-max-datagram') ?? String(DEFAULT_STATSD_MAX_DATAGRAM);
  const maxDatagramBytes = Number(maxText);
  // 65507: the largest UDP payload over IPv4.
  if (!Number.isInteger(maxDatagramBytes) || maxDatagramBytes < 64 || maxDatagramBytes > 65507) {
    throw new UsageError(`--statsd-max-datagram must be a whole number of bytes from 64 to 65507, got "${maxText}"`);
  }
  const statsd: StatsdConfig = {
    ...parseAddress('statsd-address', str('statsd-address') ?? '127.0.0.1', DEFAULT_STATSD_PORT),
    prefix: graphite.prefix,
    maxDatagramBytes,
  };
  const dir = str('buffer-dir');
  if (dir !== undefined && dir.trim() === '') throw new UsageError('--buffer-dir must not be empty');
  const bufText = str('buffer-max-bytes');
  const maxBytes = bufText === undefined ? DEFAULT_BUFFER_MAX_BYTES : parseBytes(bufText);
  if (maxBytes === undefined || maxBytes < 64 * 1024) {
    throw new UsageError(
      `--buffer-max-bytes "${bufText ?? ''}" must be a size of at least 64KiB (examples: 1048576, 512KiB, 64MiB, 1GiB)`,
    );
  }
  const scrape = buildScrapeConfig(sinks.includes('scrape'), str);
  return { sinks, remoteWrite, graphite, statsd, buffer: { dir, maxBytes }, scrape };
}

/** ["pushgateway", "graphite"] from repeated flags and/or comma lists; duplicates once; empty means the default. */
export function parseSinkList(raw: unknown): SinkName[] {
  const given = ([] as unknown[])
    .concat(raw ?? [])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const out: SinkName[] = [];
  for (const name of given) {
    if (!(SINK_NAMES as readonly string[]).includes(name))
      throw new UsageError(`--sink "${name}" is unknown (choose ${SINK_NAMES.join(', ')}; repeat --sink for several)`);
    if (!out.includes(name as SinkName)) out.push(name as SinkName);
  }
  return out.length > 0 ? out : ['pushgateway'];
}

/** "hostpulse", "prod.hostpulse" or "" (no prefix): each element as a path element (letters, digits, _ and -). */
function parsePrefix(flag: string, text: string): string[] {
  const parts = text.split('.').filter((p) => p !== '');
  for (const p of parts) {
    if (!/^[A-Za-z0-9_-]+$/.test(p))
      throw new UsageError(
        `--${flag} "${text}": path elements may hold only letters, digits, _ and - (separated by dots)`,
      );
  }
  return parts;
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** 1048576, 512KiB, 64MiB, 1GB: whole bytes, or undefined. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2].toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}
