import type { ScrapeConfig } from '../config/sink-config';
import type { ScrapeEndpoint } from '../sink/scrape/scrape-endpoint';
import type { WebConfig } from '../web/web-config';
import type { AgentParts } from './setup';

/**
 * Starts the endpoint of --sink scrape for `run`. On failure (address in use,
 * not this host's: a UsageError, exit 2) the parts are released first, so
 * their open files and timers cannot keep the failing process alive.
 */
export async function startScrapeEndpoint(parts: AgentParts): Promise<ScrapeEndpoint | undefined> {
  const config = parts.config.scrape;
  if (config === undefined) return undefined;
  try {
    // Loaded only here: an agent that only pushes never loads the HTTP server, TLS or bcrypt.
    const { ScrapeEndpoint } = await import('../sink/scrape/scrape-endpoint');
    return await ScrapeEndpoint.start(config, parts.logger);
  } catch (err) {
    parts.close();
    throw err;
  }
}

/**
 * Why a reload cannot take `next` while `running` serves (the listening
 * socket and its TLS setup live as long as the process), or undefined when
 * it can. A rejected reload keeps the running configuration, as any other.
 */
export function scrapeChange(running: ScrapeEndpoint | undefined, next: ScrapeConfig | undefined): string | undefined {
  const now = running?.config;
  if (now === undefined && next === undefined) return undefined;
  if (now === undefined) return 'adding --sink scrape needs a restart';
  if (next === undefined) return 'removing --sink scrape needs a restart';
  if (now.listenText !== next.listenText) return 'a changed --listen-address needs a restart';
  if (now.webConfigFile !== next.webConfigFile || !sameWeb(now.web, next.web))
    return 'a changed --web-config-file needs a restart';
  return undefined;
}

function sameWeb(a: WebConfig, b: WebConfig): boolean {
  if (a.users.size !== b.users.size) return false;
  for (const [user, hash] of a.users) if (b.users.get(user) !== hash) return false;
  if (a.tls === undefined || b.tls === undefined) return a.tls === b.tls;
  const buf = (x: Buffer | undefined, y: Buffer | undefined) =>
    x === undefined || y === undefined ? x === y : x.equals(y);
  return (
    buf(a.tls.cert, b.tls.cert) &&
    buf(a.tls.key, b.tls.key) &&
    buf(a.tls.ca, b.tls.ca) &&
    a.tls.clientAuthType === b.tls.clientAuthType &&
    a.tls.minVersion === b.tls.minVersion &&
    a.tls.maxVersion === b.tls.maxVersion
  );
}
