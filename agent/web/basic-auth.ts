import { createHash } from 'crypto';
import * as bcrypt from 'bcryptjs';

/** Most remembered successful checks; a config has a handful of users, each with one password. */
const MAX_CACHED = 64;
/**
 * Compared against when the user is unknown, so an unknown user costs the same
 * bcrypt time as a wrong password (no user enumeration by timing). A bcrypt
 * of a random string, cost 10 like the hashes htpasswd makes by default.
 */
const DUMMY_HASH = '$2b$10$GgztDf1NnwnolIsrmJ1sP.pyMqnFEaobcIvGjKKNh958HcnG6kh3W';

/**
 * Checks `Authorization: Basic` against bcrypt hashes. bcrypt costs ~80 ms
 * of CPU at cost 10 (pure JS): a success is remembered (keyed by a SHA-256
 * of user, hash and password, never the password itself), so a scraper
 * that sends the same credentials every interval pays it once. Checks run
 * one at a time, so wrong passwords sent in parallel cannot take more than
 * one core's share from the agent's cycles.
 */
export class BasicAuth {
  private readonly ok = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly users: ReadonlyMap<string, string>) {}

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** True when the header carries a configured user and its password. */
  async check(header: string | undefined): Promise<boolean> {
    const creds = parseBasic(header);
    if (creds === undefined) return false;
    const hash = this.users.get(creds.user);
    const key = createHash('sha256')
      .update(`${creds.user}\0${hash ?? ''}\0${creds.password}`)
      .digest('base64');
    if (hash !== undefined && this.ok.has(key)) return true;
    const run = this.queue.then(() => bcrypt.compare(creds.password, hash ?? DUMMY_HASH));
    // The queue waits for each check but never fails on one.
    this.queue = run.catch(() => false);
    const good = (await run) && hash !== undefined;
    if (good) {
      if (this.ok.size >= MAX_CACHED) this.ok.clear();
      this.ok.add(key);
    }
    return good;
  }
}

/** `Basic base64(user:password)` into its parts, or undefined. */
export function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}
