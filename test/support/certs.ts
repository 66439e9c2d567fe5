import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The basic-auth user and password the protected test servers accept. */
export const USER = 'agent';
export const PASSWORD = 'hp-test-password';
/** bcrypt of PASSWORD (cost 10), made once with bcryptjs: Prometheus' web config only accepts bcrypt hashes. */
export const BCRYPT = '$2a$10$JT3tqWoDfCc53mx6zz5Ks.y68jt0k/6KwMAmRy5L.0fEOJmftIUyC';

/**
 * A throw-away CA, a server certificate for 127.0.0.1 and a client
 * certificate, made by openssl now, plus `password` and `wrong-password`
 * files. Returns the path of a file by name (ca.crt, server.key, client.crt...).
 */
export function makeCerts(): (name: string) => string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-tls-'));
  const f = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=hostpulse test CA',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ]) {
    fs.writeFileSync(f(`${name}.ext`), ext + '\n');
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      f(`${name}.key`),
      '-out',
      f(`${name}.csr`),
    );
    openssl(
      'x509',
      '-req',
      '-in',
      f(`${name}.csr`),
      '-CA',
      f('ca.crt'),
      '-CAkey',
      f('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      f(`${name}.ext`),
      '-out',
      f(`${name}.crt`),
    );
  }
  fs.writeFileSync(f('password'), PASSWORD + '\n');
  fs.writeFileSync(f('wrong-password'), 'not-it\n');
  return f;
}

/** Prometheus' --web.config.file (also the Pushgateway's): TLS with client certificates from our CA, and basic auth. */
export function tlsAndAuthWebConfig(f: (name: string) => string): string {
  return `tls_server_config:
  cert_file: ${f('server.crt')}
  key_file: ${f('server.key')}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ${f('ca.crt')}
basic_auth_users:
  ${USER}: ${BCRYPT}
`;
}
