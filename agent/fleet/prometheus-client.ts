import * as http from 'http';
import * as https from 'https';
import type { PushAuth, PushTls } from '../config/http-backend';
import { redactUrl } from '../config/redact-url';
import { BackendError } from '../errors';
import { QueryAnswer, VectorSample, vectorOf } from './vector';

/**
 * Thin client for Prometheus' instant-query API. Every failure becomes a
 * BackendError with one line that says what to check: unreachable, timed
 * out, not a Prometheus, or a rejected query.
 */
export interface PrometheusClient {
  readonly url: string;
  query(promql: string): Promise<VectorSample[]>;
}

export interface ClientOptions {
  url: string;
  timeoutMs: number;
  /** --prometheus-username/-password-file/-bearer-token-file; userinfo in the URL is used when none is given. */
  auth?: PushAuth;
  /** --prometheus-ca-file/-cert-file/-key-file. */
  tls?: PushTls;
  /** Called with each query and its duration, for --log-level debug. */
  onQuery?: (promql: string, ms: number) => void;
}

export function createPrometheusClient(opts: ClientOptions): PrometheusClient {
  const target = new URL(opts.url.replace(/\/+$/, '') + '/api/v1/query');
  // What messages say: never a password from the URL's userinfo.
  const base = redactUrl(opts.url.replace(/\/+$/, '')).replace(/\/+$/, '');
  const secure = target.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ ca: opts.tls?.ca, cert: opts.tls?.cert, key: opts.tls?.key })
    : new http.Agent();
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' };
  const auth = opts.auth ?? {};
  if (auth.bearerToken !== undefined) headers.Authorization = `Bearer ${auth.bearerToken}`;
  else if (auth.username !== undefined)
    headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
  return {
    url: base,
    async query(promql: string): Promise<VectorSample[]> {
      const started = Date.now();
      const body = new URLSearchParams({
        query: promql,
        timeout: `${Math.max(1, Math.floor(opts.timeoutMs / 1000))}s`,
      }).toString();
      let answer: { status: number; text: string };
      try {
        // POST with a form body: long queries do not hit URL length limits.
        answer = await post(secure ? https : http, target, agent, headers, body, opts.timeoutMs);
      } catch (err) {
        throw new BackendError(describeFetchError(base, err, opts.timeoutMs));
      }
      opts.onQuery?.(promql, Date.now() - started);
      return parseQueryResponse(base, answer.status, answer.text);
    },
  };
}

/**
 * One POST with Node's own client (fetch cannot take a CA or a client
 * certificate without undici's dispatcher, and refuses userinfo in a URL).
 * Rejects with the socket error, or an Error named TimeoutError after `timeoutMs`.
 */
function post(
  client: typeof http | typeof https,
  url: URL,
  agent: http.Agent,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: 'POST', agent, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    const timer = setTimeout(() => {
      const err = new Error(`no answer within ${timeoutMs} ms`);
      err.name = 'TimeoutError';
      req.destroy(err);
    }, timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}

/** Pure: HTTP status + body text -> samples, or a BackendError naming the problem. */
export function parseQueryResponse(base: string, status: number, text: string): VectorSample[] {
  let answer: QueryAnswer;
  try {
    answer = JSON.parse(text) as QueryAnswer;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new BackendError(
      `${base} does not look like the Prometheus API: HTTP ${status} with a non-JSON body (check --prometheus-url)`,
    );
  }
  if (typeof answer !== 'object' || answer === null || typeof answer.status !== 'string') {
    throw new BackendError(`${base} does not look like the Prometheus API: HTTP ${status} (check --prometheus-url)`);
  }
  if (answer.status === 'error') {
    throw new BackendError(
      `Prometheus at ${base} rejected a query (HTTP ${status}, ${answer.errorType ?? 'error'}): ${oneLine(answer.error ?? '')}`,
    );
  }
  const samples = vectorOf(answer);
  if (typeof samples === 'string') throw new BackendError(`unexpected answer from Prometheus at ${base}: ${samples}`);
  return samples;
}

/** Pure: a fetch failure -> one line. Node's fetch wraps the socket error in `cause`. */
export function describeFetchError(base: string, err: unknown, timeoutMs: number): string {
  // Duck-typed: AbortSignal.timeout() rejects with a DOMException, not always an `instanceof Error`.
  const name = typeof err === 'object' && err !== null && 'name' in err ? err.name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `Prometheus at ${base} did not answer within ${timeoutMs / 1000}s (see --query-timeout)`;
  }
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? err.cause : undefined;
  const code = errnoCode(cause) ?? errnoCode(err);
  const why: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
  };
  const detail = (code && why[code]) ?? oneLine(messageOf(cause) ?? messageOf(err) ?? String(err));
  return `cannot reach Prometheus at ${base}: ${detail} (check --prometheus-url or HOSTPULSE_PROMETHEUS_URL)`;
}

/** The `code` of a Node system error (ECONNREFUSED, ...), if it is one. */
function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code: unknown = err.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('message' in err)) return undefined;
  return typeof err.message === 'string' ? err.message : undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
