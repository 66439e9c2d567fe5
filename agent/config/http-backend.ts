import * as fs from 'fs';
import { UsageError } from '../errors';

export interface PushAuth {
  username?: string;
  password?: string;
  bearerToken?: string;
}

export interface PushTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/** The URL of an HTTP backend flag (`--pushgateway-url`): http or https, or a UsageError naming the flag. */
export function httpUrl(flag: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // URL's own message is "Invalid URL": ours names the flag and the value.
    throw new UsageError(`--${flag} "${text}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${flag} "${text}" must be http:// or https://`);
  return url;
}

/**
 * Basic auth or a bearer token, and TLS files, of one HTTP backend whose flags
 * start with `prefix` (`pushgateway`, `remote-write`): `--<prefix>-username`,
 * `-password-file`, `-bearer-token-file`, `-ca-file`, `-cert-file`, `-key-file`.
 * Secret and certificate files are read here, so a missing file stops start-up
 * instead of failing every push. Throws UsageError naming the flag.
 */
export function buildClientAuth(
  prefix: string,
  str: (name: string) => string | undefined,
  url: URL,
): { auth: PushAuth; tls: PushTls } {
  const auth: PushAuth = {};
  const username = str(`${prefix}-username`);
  const passwordFile = str(`${prefix}-password-file`);
  const tokenFile = str(`${prefix}-bearer-token-file`);
  if (passwordFile !== undefined && username === undefined) {
    throw new UsageError(`--${prefix}-password-file needs --${prefix}-username`);
  }
  if (tokenFile !== undefined && username !== undefined) {
    throw new UsageError(`use either basic auth (--${prefix}-username) or --${prefix}-bearer-token-file, not both`);
  }
  if (username !== undefined) {
    auth.username = username;
    auth.password = passwordFile === undefined ? '' : secret(`${prefix}-password-file`, passwordFile);
  }
  if (tokenFile !== undefined) auth.bearerToken = secret(`${prefix}-bearer-token-file`, tokenFile);

  const tls: PushTls = {};
  const ca = str(`${prefix}-ca-file`);
  const cert = str(`${prefix}-cert-file`);
  const key = str(`${prefix}-key-file`);
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(`--${prefix}-cert-file and --${prefix}-key-file go together`);
  }
  if (ca !== undefined) tls.ca = file(`${prefix}-ca-file`, ca);
  if (cert !== undefined && key !== undefined) {
    tls.cert = file(`${prefix}-cert-file`, cert);
    tls.key = file(`${prefix}-key-file`, key);
  }
  if ((ca !== undefined || cert !== undefined) && url.protocol !== 'https:') {
    throw new UsageError(`TLS files are given but --${prefix}-url is not https://`);
  }
  return { auth, tls };
}

function file(name: string, path: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    throw new UsageError(`--${name}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** A secret file's content without the trailing newline editors add. */
function secret(name: string, path: string): string {
  return file(name, path)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
