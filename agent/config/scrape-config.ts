import { UsageError } from '../errors';
import { NO_WEB_CONFIG, readWebConfig, type WebConfig } from '../web/web-config';
import { parseAddress } from './address';

/**
 * The default port of `--sink scrape`. The Prometheus wiki's "Default port
 * allocations" page gives 9100-9999 out one by one to exporters (9100 is
 * node_exporter's) and keeps a short list of exporters on other ports;
 * 19150 is in neither, so it collides with no listed exporter.
 */
export const DEFAULT_SCRAPE_PORT = 19150;

export interface ScrapeConfig {
  /** Undefined: every address of the host. */
  host: string | undefined;
  port: number;
  /** The --listen-address as given, for errors and logs. */
  listenText: string;
  /** The --web-config-file, undefined when none. */
  webConfigFile: string | undefined;
  web: WebConfig;
}

/**
 * `--listen-address` (`:PORT` or `HOST:PORT`, `[v6]:PORT`) and
 * `--web-config-file`, read (certificates included) when `scraping`; a web
 * config without the scrape sink is an error, not a silent no-op.
 */
export function buildScrapeConfig(
  scraping: boolean,
  str: (name: string) => string | undefined,
): ScrapeConfig | undefined {
  const webConfigFile = str('web-config-file');
  if (!scraping) {
    if (webConfigFile !== undefined)
      throw new UsageError('--web-config-file guards the scrape endpoint: it needs --sink scrape');
    return undefined;
  }
  const listenText = str('listen-address') ?? `:${DEFAULT_SCRAPE_PORT}`;
  const { host, port } = parseListenAddress(listenText);
  if (webConfigFile !== undefined && webConfigFile.trim() === '')
    throw new UsageError('--web-config-file must not be empty');
  const web = webConfigFile === undefined ? NO_WEB_CONFIG : readWebConfig(webConfigFile);
  return { host, port, listenText, webConfigFile, web };
}

/** `:19150` (every address), `0.0.0.0:19150`, `127.0.0.1:19150`, `[::1]:19150`; the port is required (0: any free one). */
export function parseListenAddress(text: string): { host: string | undefined; port: number } {
  const t = text.trim();
  const m = /^:(\d+)$/.exec(t);
  if (m) {
    const port = Number(m[1]);
    if (port > 65535) throw new UsageError(`--listen-address "${text}": the port must be from 0 to 65535`);
    return { host: undefined, port };
  }
  if (!/:\d+$/.test(t))
    throw new UsageError(
      `--listen-address "${text}" must be HOST:PORT or :PORT (examples: :${DEFAULT_SCRAPE_PORT}, 127.0.0.1:${DEFAULT_SCRAPE_PORT}, [::1]:${DEFAULT_SCRAPE_PORT})`,
    );
  // Port 0 (any free port) is allowed here, not by parseAddress: tests and one-off runs use it.
  const zero = /:0$/.test(t);
  const parsed = parseAddress('listen-address', zero ? t.replace(/:0$/, ':1') : t, DEFAULT_SCRAPE_PORT);
  return { host: parsed.host, port: zero ? 0 : parsed.port };
}
