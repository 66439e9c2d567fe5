import type * as http from 'http';
import { BackendError, UsageError } from '../../errors';
import type { Logger } from '../../log';
import type { Route, WebResponse } from '../../web/server';
import { promRangeDuration } from '../duration';
import type { RangeClient } from '../prometheus-client';
import { pageAnswer, SECURITY_HEADERS, staticAnswers } from './assets';
import { countingClient } from './counting-client';
import { fleetPage, groupPage, hostPage, oomsPage, type ServeSettings } from './page-data';

/**
 * Every path `fleet serve` answers: the page (one HTML for `/`, `/ooms`,
 * `/host/NAME`, `/group/NAME`), its static files, and a fixed list of JSON
 * endpoints, one per page. Nothing else reaches Prometheus: the server sends
 * only the queries of page-data.ts, with names and durations checked first.
 */

export interface ServeDeps {
  client: RangeClient;
  settings: ServeSettings;
  refreshSeconds: number;
  logger: Logger;
}

/** The JSON endpoints, the only paths that query Prometheus. */
export const API_PATHS = ['/api/fleet', '/api/host', '/api/group', '/api/ooms'] as const;
/** Paths of the page itself; `/host/` and `/group/` take a name after them. */
export const PAGE_PATHS = ['/', '/ooms'] as const;
export const PAGE_PREFIXES = ['/host/', '/group/'] as const;
/** `/ooms?since=`: the windows offered (any PromQL duration is accepted, checked). */
export const DEFAULT_OOM_SINCE = '1h';
/** A name in a query string longer than this is not a host or group. */
const MAX_NAME = 512;

type ApiHandler = (client: RangeClient, params: URLSearchParams) => Promise<object | undefined>;

export function json(status: number, body: object): WebResponse {
  return {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** A required name parameter (`instance`, `name`), or a UsageError for the 400 answer. */
export function nameParam(params: URLSearchParams, key: string): string {
  const v = params.get(key);
  if (v === null || v.trim() === '') throw new UsageError(`missing ?${key}=`);
  if (v.length > MAX_NAME) throw new UsageError(`?${key}= is longer than ${MAX_NAME} characters`);
  return v;
}

export function serveRoutes(deps: ServeDeps): {
  routes: Record<string, Route>;
  prefixes: Record<string, Route>;
} {
  const s = deps.settings;
  const handlers: Record<(typeof API_PATHS)[number], ApiHandler> = {
    '/api/fleet': (c) => fleetPage(c, s),
    '/api/host': async (c, p) => hostPage(c, s, nameParam(p, 'instance')),
    '/api/group': async (c, p) => groupPage(c, s, nameParam(p, 'name')),
    '/api/ooms': (c, p) => oomsPage(c, s, promRangeDuration(p.get('since') ?? DEFAULT_OOM_SINCE, '?since=')),
  };
  const page = pageAnswer(deps.refreshSeconds, deps.client.url);
  const routes: Record<string, Route> = {
    '/-/healthy': () => ({ status: 200, body: 'Healthy\n' }),
  };
  for (const p of PAGE_PATHS) routes[p] = () => page;
  for (const [p, answer] of staticAnswers()) routes[p] = () => answer;
  for (const p of API_PATHS) routes[p] = (req) => answerApi(deps, p, handlers[p], req);
  const prefixes: Record<string, Route> = {};
  for (const p of PAGE_PREFIXES) prefixes[p] = () => page;
  return { routes, prefixes };
}

/**
 * One JSON answer: the page's data with the number of Prometheus queries it
 * took (the budget is 10), or `{error}`: 400 for a bad parameter, 404 for an
 * unknown host or group, 502 when Prometheus failed (the page shows the message).
 */
export async function answerApi(
  deps: ServeDeps,
  path: string,
  handler: ApiHandler,
  req: http.IncomingMessage,
): Promise<WebResponse> {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const client = countingClient(deps.client);
  const started = Date.now();
  const meta = () => ({
    prometheus: deps.client.url,
    prometheus_queries: client.queries,
    refresh_seconds: deps.refreshSeconds,
    generated_at: new Date().toISOString(),
  });
  try {
    const data = await handler(client, params);
    deps.logger.debug(`${path}: ${client.queries} Prometheus queries in ${Date.now() - started} ms`);
    if (data === undefined) return json(404, { ...meta(), error: notFound(path, params, deps.client.url) });
    return json(200, { ...meta(), ...data });
  } catch (err) {
    if (err instanceof UsageError) return json(400, { ...meta(), error: err.message });
    if (!(err instanceof BackendError)) throw err;
    deps.logger.warn(`${path}: ${err.message}`);
    return json(502, { ...meta(), error: err.message });
  }
}

function notFound(path: string, params: URLSearchParams, url: string): string {
  if (path === '/api/host')
    return `unknown host "${params.get('instance') ?? ''}": no hostpulse metrics for it in Prometheus at ${url}`;
  return `unknown group "${params.get('name') ?? ''}": no host runs it`;
}
