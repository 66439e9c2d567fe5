import * as fs from 'fs';
import { errnoCode } from './errno';

/** uid -> user name from passwd(5) text. Pure. Later lines do not override earlier ones (as getpwuid). */
export function parsePasswd(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3 || !/^\d+$/.test(f[2])) continue;
    const uid = Number(f[2]);
    if (!out.has(uid)) out.set(uid, f[0]);
  }
  return out;
}

/** The local users (no NSS: LDAP users show as their uid). A missing passwd file gives no names. */
export function readUserNames(path = '/etc/passwd'): Map<number, string> {
  try {
    return parsePasswd(fs.readFileSync(path, 'utf8'));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return new Map();
    throw err;
  }
}
