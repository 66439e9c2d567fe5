import * as fs from 'fs';
import * as path from 'path';
import { createSecureContext } from 'tls';
import type * as Yaml from 'yaml';
import { UsageError } from '../errors';

/**
 * The exporter-toolkit web configuration (`--web.config.file` of every
 * Prometheus exporter), the part hostpulse implements: TLS and basic auth.
 * Keys the toolkit knows but hostpulse does not implement are refused by
 * name rather than ignored: a security setting silently dropped is worse
 * than a start-up error.
 */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';
export const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
];

export type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
/** The toolkit's names (Go's) and Node's. */
const TLS_VERSIONS: Record<string, TlsVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

export interface TlsServerFiles {
  certFile: string;
  keyFile: string;
  clientCaFile: string | undefined;
  clientAuthType: ClientAuthType;
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
}

/** A parsed web config: file paths resolved against the config file's directory, nothing read yet. */
export interface WebConfigSpec {
  tls: TlsServerFiles | undefined;
  /** user name -> bcrypt hash. Empty: no basic auth. */
  users: ReadonlyMap<string, string>;
}

/** A web config with its certificate files read: what the server runs with. */
export interface WebConfig {
  tls:
    | (Omit<TlsServerFiles, 'certFile' | 'keyFile' | 'clientCaFile'> & { cert: Buffer; key: Buffer; ca?: Buffer })
    | undefined;
  users: ReadonlyMap<string, string>;
}

export const NO_WEB_CONFIG: WebConfig = { tls: undefined, users: new Map() };

const TOP_KEYS = ['tls_server_config', 'basic_auth_users', 'http_server_config'];
const TLS_KEYS = ['cert_file', 'key_file', 'client_ca_file', 'client_auth_type', 'min_version', 'max_version'];
/** The toolkit has these; hostpulse does not implement them. */
const UNSUPPORTED_TLS_KEYS = [
  'cert',
  'key',
  'client_ca',
  'cipher_suites',
  'curve_preferences',
  'prefer_server_cipher_suites',
  'client_allowed_sans',
];
/** bcrypt in the modular crypt format: $2a$, $2b$, $2x$ or $2y$, a two-digit cost, 53 characters of salt and hash. */
const BCRYPT = /^\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}$/;

/**
 * Pure: the YAML text of a web config file into a spec. `file` names the file
 * in errors and is the base of relative paths (as the toolkit does). Throws
 * UsageError naming the file, the line and the problem.
 */
export function parseWebConfig(text: string, file: string): WebConfigSpec {
  // Loaded here, not at start: only an agent given a web config pays for the YAML parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load, as in group-rules.ts
  const YAML = require('yaml') as typeof Yaml;
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: unknown): string => {
    const range = (node as { range?: [number, number, number] | null } | null | undefined)?.range;
    return `${file}:${range ? lines.linePos(range[0]).line : 1}`;
  };
  const fail = (node: unknown, message: string): never => {
    throw new UsageError(`--web-config-file ${at(node)}: ${message}`);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new UsageError(`--web-config-file ${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  // An empty file is a valid config that changes nothing (the toolkit agrees).
  if (root === null || (YAML.isScalar(root) && root.value === null)) return { tls: undefined, users: new Map() };
  if (!YAML.isMap(root)) return fail(root, `expected a mapping with keys ${TOP_KEYS.join(', ')}`);

  const base = path.dirname(file);
  let tls: TlsServerFiles | undefined;
  const users = new Map<string, string>();
  for (const pair of root.items) {
    const key = YAML.isScalar(pair.key) ? String(pair.key.value) : '';
    const value = pair.value;
    if (key === 'http_server_config') {
      // `http2` and `headers`: only an empty mapping is accepted, anything in it would be ignored.
      if (value !== null && !(YAML.isMap(value) && value.items.length === 0) && !isNull(value))
        fail(pair.key, 'http_server_config (http2, headers) is not supported by hostpulse');
      continue;
    }
    if (key === 'basic_auth_users') {
      if (isNull(value)) continue;
      if (!YAML.isMap(value)) return fail(value, 'basic_auth_users must map user names to bcrypt hashes');
      for (const u of value.items) {
        const user = YAML.isScalar(u.key) ? String(u.key.value) : '';
        const hash = YAML.isScalar(u.value) ? u.value.value : undefined;
        if (user === '') fail(u.key, 'a basic_auth_users name must not be empty');
        if (user.includes(':')) fail(u.key, `basic_auth_users name "${user}" must not contain ':'`);
        if (typeof hash !== 'string' || !BCRYPT.test(hash))
          fail(u.value ?? u.key, `the password of "${user}" must be a bcrypt hash ($2y$10$... from htpasswd -nBC 10)`);
        users.set(user, hash as string);
      }
      continue;
    }
    if (key === 'tls_server_config') {
      if (isNull(value)) continue;
      if (!YAML.isMap(value))
        return fail(value, `tls_server_config must be a mapping with keys ${TLS_KEYS.join(', ')}`);
      const got: Record<string, string> = {};
      for (const t of value.items) {
        const k = YAML.isScalar(t.key) ? String(t.key.value) : '';
        if (UNSUPPORTED_TLS_KEYS.includes(k)) fail(t.key, `tls_server_config.${k} is not supported by hostpulse`);
        if (!TLS_KEYS.includes(k)) fail(t.key, `unknown key tls_server_config.${k} (known: ${TLS_KEYS.join(', ')})`);
        const v = YAML.isScalar(t.value) ? t.value.value : undefined;
        if (typeof v !== 'string' || v === '')
          fail(t.value ?? t.key, `tls_server_config.${k} must be a non-empty string`);
        got[k] = v as string;
      }
      tls = tlsFiles(got, base, (m) => fail(value, m));
      continue;
    }
    fail(pair.key, `unknown key "${key}" (known: ${TOP_KEYS.join(', ')})`);
  }
  return { tls, users };

  function isNull(v: unknown): boolean {
    return v === null || (YAML.isScalar(v) && v.value === null);
  }
}

function tlsFiles(got: Record<string, string>, base: string, fail: (m: string) => never): TlsServerFiles {
  if (got.cert_file === undefined) fail('tls_server_config needs cert_file');
  if (got.key_file === undefined) fail('tls_server_config needs key_file');
  const type = got.client_auth_type ?? 'NoClientCert';
  if (!(CLIENT_AUTH_TYPES as readonly string[]).includes(type))
    fail(`client_auth_type "${type}" must be one of ${CLIENT_AUTH_TYPES.join(', ')}`);
  const clientAuthType = type as ClientAuthType;
  const verifies = clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (verifies && got.client_ca_file === undefined) fail(`client_auth_type ${clientAuthType} needs client_ca_file`);
  // As the toolkit: a CA that would never be used is a mistake, not a no-op.
  if (!verifies && got.client_ca_file !== undefined)
    fail(`client_ca_file is given but client_auth_type ${clientAuthType} verifies no client certificate`);
  const version = (k: string, fallback: TlsVersion): TlsVersion => {
    const v = got[k];
    if (v === undefined) return fallback;
    const node = TLS_VERSIONS[v];
    if (node === undefined) fail(`${k} "${v}" must be one of ${Object.keys(TLS_VERSIONS).join(', ')}`);
    return node;
  };
  const minVersion = version('min_version', 'TLSv1.2');
  const maxVersion = version('max_version', 'TLSv1.3');
  const order = Object.values(TLS_VERSIONS);
  if (order.indexOf(minVersion) > order.indexOf(maxVersion)) fail('min_version is above max_version');
  const abs = (p: string | undefined) => (p === undefined ? undefined : path.resolve(base, p));
  return {
    certFile: abs(got.cert_file) as string,
    keyFile: abs(got.key_file) as string,
    clientCaFile: abs(got.client_ca_file),
    clientAuthType,
    minVersion,
    maxVersion,
  };
}

/**
 * Thin I/O around parseWebConfig: reads the file and the certificate files it
 * names, and checks that key and certificate belong together, so a bad file
 * stops start-up (exit 2) instead of failing every TLS handshake.
 */
export function readWebConfig(file: string): WebConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--web-config-file: cannot read ${file}: ${(err as Error).message}`);
  }
  const spec = parseWebConfig(text, file);
  if (spec.tls === undefined) return { tls: undefined, users: spec.users };
  const { certFile, keyFile, clientCaFile, ...rest } = spec.tls;
  const read = (what: string, p: string): Buffer => {
    try {
      return fs.readFileSync(p);
    } catch (err) {
      throw new UsageError(`--web-config-file ${file}: cannot read ${what} ${p}: ${(err as Error).message}`);
    }
  };
  const tls = {
    ...rest,
    cert: read('cert_file', certFile),
    key: read('key_file', keyFile),
    ca: clientCaFile === undefined ? undefined : read('client_ca_file', clientCaFile),
  };
  try {
    createSecureContext({ cert: tls.cert, key: tls.key, ca: tls.ca });
  } catch (err) {
    throw new UsageError(
      `--web-config-file ${file}: cert_file ${certFile} and key_file ${keyFile} are not a usable pair: ${(err as Error).message}`,
    );
  }
  return { tls, users: spec.users };
}
