import { parseWebConfig } from '../../agent/web/web-config';
import { parseBasic } from '../../agent/web/basic-auth';
import { parseListenAddress } from '../../agent/config/scrape-config';
import { acceptsGzip } from '../../agent/sink/scrape/scrape-endpoint';
import { BCRYPT, USER } from '../support/certs';

const FILE = '/etc/hostpulse/web.yml';

describe('parseWebConfig: the exporter-toolkit format', () => {
  it('reads TLS with client certificates and basic auth, paths relative to the file', () => {
    const spec = parseWebConfig(
      `tls_server_config:
  cert_file: server.crt
  key_file: /abs/server.key
  client_ca_file: ca.crt
  client_auth_type: RequireAndVerifyClientCert
  min_version: TLS13
basic_auth_users:
  ${USER}: ${BCRYPT}
`,
      FILE,
    );
    expect(spec.tls).toEqual({
      certFile: '/etc/hostpulse/server.crt',
      keyFile: '/abs/server.key',
      clientCaFile: '/etc/hostpulse/ca.crt',
      clientAuthType: 'RequireAndVerifyClientCert',
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
    });
    expect([...spec.users]).toEqual([[USER, BCRYPT]]);
  });

  it('defaults: no client certificate, TLS 1.2 to 1.3; an empty file changes nothing', () => {
    const spec = parseWebConfig('tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n', FILE);
    expect(spec.tls).toMatchObject({ clientAuthType: 'NoClientCert', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(parseWebConfig('', FILE)).toEqual({ tls: undefined, users: new Map() });
    expect(parseWebConfig('basic_auth_users:\n', FILE).users.size).toBe(0);
  });

  it.each([
    ['basic_auth_users:\n  alice: secret\n', /web.yml:2: the password of "alice" must be a bcrypt hash/],
    ['basic_auth_users:\n  "a:b": ' + BCRYPT + '\n', /must not contain ':'/],
    ['tls_server_config:\n  key_file: a.key\n', /needs cert_file/],
    ['tls_server_config:\n  cert_file: a.crt\n', /needs key_file/],
    [
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n',
      /RequireAndVerifyClientCert needs client_ca_file/,
    ],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n', /client_ca_file is given but/],
    [
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Sometimes\n',
      /must be one of NoClientCert/,
    ],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n', /min_version "TLS14"/],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n', /above/],
    [
      'tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n',
      /web.yml:4: .*cipher_suites is not supported/,
    ],
    ['tls_server_config:\n  cert_file: a\n  key_file: b\n  certfile: c\n', /unknown key tls_server_config.certfile/],
    ['basic_auth_user:\n  a: b\n', /web.yml:1: unknown key "basic_auth_user"/],
    ['http_server_config:\n  http2: false\n', /http_server_config .* is not supported/],
    ['- a\n- b\n', /expected a mapping/],
    ['basic_auth_users: [\n', /web.yml:\d+:/],
  ])('refuses %j naming the problem', (text, message) => {
    expect(() => parseWebConfig(text, FILE)).toThrow(message);
  });
});

describe('small parsers of the scrape endpoint', () => {
  it('--listen-address: :PORT is every address; HOST:PORT and [v6]:PORT; the port is required', () => {
    expect(parseListenAddress(':19150')).toEqual({ host: undefined, port: 19150 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(() => parseListenAddress('127.0.0.1')).toThrow(/must be HOST:PORT or :PORT/);
    expect(() => parseListenAddress(':70000')).toThrow(/port must be/);
  });

  it('Accept-Encoding: gzip or * unless q=0', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('Authorization: Basic, the password may hold colons', () => {
    const h = 'Basic ' + Buffer.from('agent:pa:ss').toString('base64');
    expect(parseBasic(h)).toEqual({ user: 'agent', password: 'pa:ss' });
    expect(parseBasic('Bearer x')).toBeUndefined();
    expect(parseBasic('Basic ' + Buffer.from('nocolon').toString('base64'))).toBeUndefined();
  });
});
