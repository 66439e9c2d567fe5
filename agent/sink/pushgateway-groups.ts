import type { PushAuth, PushTls } from '../config/http-backend';
import { groupUrlOf } from './grouping-key';
import { HttpClient } from '../common/http-client';
import { PushError } from '../common/push-error';

/** One group the Pushgateway holds: its grouping key and when it was last pushed. */
export interface GatewayGroup {
  labels: Record<string, string>;
  /** Unix seconds of the last successful push; undefined when it never had one. */
  lastPushSeconds: number | undefined;
}

interface ApiFamily {
  metrics?: Array<{ value?: string }>;
}

/**
 * The groups in the gateway's `/api/v1/metrics` answer (pure: JSON in, groups
 * out). `push_time_seconds` is the gateway's own record of the last good push;
 * 0 (or absent) means the group only ever had failed pushes.
 */
export function parseGatewayGroups(json: unknown): GatewayGroup[] {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw new Error('not a Pushgateway /api/v1/metrics answer (no data array)');
  return data.map((g: Record<string, unknown>) => {
    const labels = (g.labels ?? {}) as Record<string, string>;
    const raw = (g.push_time_seconds as ApiFamily | undefined)?.metrics?.[0]?.value;
    const t = raw === undefined ? NaN : Number(raw);
    return { labels: { ...labels }, lastPushSeconds: Number.isFinite(t) && t > 0 ? t : undefined };
  });
}

/** Groups whose last good push is older than `olderThanMs` at `nowMs` (never pushed counts as old), oldest first. */
export function staleGroups(groups: readonly GatewayGroup[], olderThanMs: number, nowMs: number): GatewayGroup[] {
  const cutoff = (nowMs - olderThanMs) / 1000;
  return groups
    .filter((g) => g.lastPushSeconds === undefined || g.lastPushSeconds < cutoff)
    .sort((a, b) => (a.lastPushSeconds ?? 0) - (b.lastPushSeconds ?? 0));
}

/** GET the gateway's groups (with the gateway's auth and TLS); rejects with PushError when it does not answer 200 JSON. */
export async function listGatewayGroups(
  base: URL,
  opts: { auth: PushAuth; tls: PushTls; timeoutMs: number },
): Promise<GatewayGroup[]> {
  const url = new URL(base.toString());
  url.pathname = url.pathname.replace(/\/+$/, '') + '/api/v1/metrics';
  const http = new HttpClient(url, opts.auth, opts.tls, {});
  try {
    // Rejects with PushError (connection, timeout) when the gateway does not answer.
    const { status, body } = await http.request('GET', '', opts.timeoutMs, { wholeBody: true });
    if (status < 200 || status >= 300) throw new PushError(`GET ${url.pathname}: HTTP ${status}`, `http_${status}`);
    try {
      return parseGatewayGroups(JSON.parse(body));
    } catch (err) {
      throw new PushError(`GET ${url.pathname}: ${(err as Error).message}`, 'invalid');
    }
  } finally {
    http.close();
  }
}

/**
 * DELETE one group by its exact grouping key (`@base64` where a value needs
 * it). Resolves when the gateway accepted; rejects with PushError otherwise.
 */
export async function deleteGatewayGroup(
  base: URL,
  labels: Readonly<Record<string, string>>,
  opts: { auth: PushAuth; tls: PushTls; timeoutMs: number },
): Promise<void> {
  const http = new HttpClient(groupUrlOf(base, labels), opts.auth, opts.tls, {});
  try {
    const { status, body } = await http.request('DELETE', '', opts.timeoutMs);
    if (status < 200 || status >= 300)
      throw new PushError(`HTTP ${status}: ${body || '(empty body)'}`, `http_${status}`);
  } finally {
    http.close();
  }
}
