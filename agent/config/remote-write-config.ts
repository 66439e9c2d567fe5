import { UsageError } from '../errors';
import { buildClientAuth, httpUrl, type PushAuth, type PushTls } from './http-backend';

/** The remote-write sink's settings, validated. */
export interface RemoteWriteConfig {
  url: URL;
  headers: Record<string, string>;
  auth: PushAuth;
  tls: PushTls;
}

type Str = (name: string) => string | undefined;

/** The remote-write flags; undefined for `once --stdout` without a URL. Throws UsageError naming the flag. */
export function buildRemoteWriteConfig(argv: Record<string, unknown>, str: Str): RemoteWriteConfig | undefined {
  const urlText = str('remote-write-url');
  if (urlText === undefined || urlText.trim() === '') {
    // `once --stdout` only prints (with this sink's own families): there is nothing to send to.
    if (argv.stdout === true) return undefined;
    throw new UsageError('--sink remote-write needs --remote-write-url (e.g. http://victoria:8428/api/v1/write)');
  }
  const url = httpUrl('remote-write-url', urlText);

  const headers: Record<string, string> = {};
  const raw = argv['remote-write-header'];
  for (const h of raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw]) {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(String(h));
    if (!m || /[\r\n]/.test(m[2]))
      throw new UsageError(`--remote-write-header "${String(h)}" must be "Name: value" (e.g. "X-Scope-OrgID: team-a")`);
    headers[m[1]] = m[2].trim();
  }

  const { auth, tls } = buildClientAuth('remote-write', str, url);
  return { url, headers, auth, tls };
}
