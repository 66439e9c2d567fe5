import { UsageError } from '../errors';
import { buildClientAuth, httpUrl, type PushAuth, type PushTls } from './http-backend';

export type SinkName = 'pushgateway' | 'remote-write';
export const SINK_NAMES: readonly SinkName[] = ['pushgateway', 'remote-write'];

/** The remote-write sink's settings, validated. */
export interface RemoteWriteConfig {
  url: URL;
  headers: Record<string, string>;
  auth: PushAuth;
  tls: PushTls;
  /** Undefined: the buffer is kept in memory (lost on restart). */
  bufferDir: string | undefined;
  bufferMaxBytes: number;
}

export const DEFAULT_BUFFER_MAX_BYTES = 64 * 1024 * 1024;

type Str = (name: string) => string | undefined;

/** `--sink` and, for remote-write, its flags. Throws UsageError naming the flag. */
export function buildSinkConfig(argv: Record<string, unknown>, str: Str): { sink: SinkName; remoteWrite: RemoteWriteConfig | undefined } {
  const sink = str('sink') ?? 'pushgateway';
  if (!(SINK_NAMES as readonly string[]).includes(sink)) throw new UsageError(`--sink "${sink}" is unknown (choose ${SINK_NAMES.join(', ')})`);
  const urlText = str('remote-write-url');
  if (sink !== 'remote-write') return { sink: sink as SinkName, remoteWrite: undefined };
  if (urlText === undefined || urlText.trim() === '') {
    // `once --stdout` only prints (with this sink's own families): there is nothing to send to.
    if (argv.stdout === true) return { sink, remoteWrite: undefined };
    throw new UsageError('--sink remote-write needs --remote-write-url (e.g. http://victoria:8428/api/v1/write)');
  }
  const url = httpUrl('remote-write-url', urlText);

  const headers: Record<string, string> = {};
  const raw = argv['remote-write-header'];
  for (const h of raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw]) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(String(h));
    if (!m || /[\r\n]/.test(m[2])) throw new UsageError(`--remote-write-header "${String(h)}" must be "Name: value" (e.g. "X-Scope-OrgID: team-a")`);
    headers[m[1]] = m[2].trim();
  }

  const { auth, tls } = buildClientAuth('remote-write', str, url);

  const bufferDir = str('buffer-dir');
  if (bufferDir !== undefined && bufferDir.trim() === '') throw new UsageError('--buffer-dir must not be empty');
  const maxText = str('buffer-max-bytes');
  const bufferMaxBytes = maxText === undefined ? DEFAULT_BUFFER_MAX_BYTES : parseBytes(maxText);
  if (bufferMaxBytes === undefined || bufferMaxBytes < 64 * 1024) {
    throw new UsageError(`--buffer-max-bytes "${maxText ?? ''}" must be a size of at least 64KiB (examples: 1048576, 512KiB, 64MiB, 1GiB)`);
  }
  return { sink: 'remote-write', remoteWrite: { url, headers, auth, tls, bufferDir, bufferMaxBytes } };
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** 1048576, 512KiB, 64MiB, 1GB: whole bytes, or undefined. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2].toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(m[1]) * unit);
}
