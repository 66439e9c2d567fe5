import { HttpClient } from '../common/http-client';
import type { PushAuth, PushTls } from '../config/http-backend';
import { PushError } from '../common/push-error';
import { redactUrl } from '../config/redact-url';
import { BackendError } from '../errors';
import { matrixOf, type MatrixSeries } from './matrix';
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

/** A client that also asks for ranges (`/api/v1/query_range`), for charts. */
export interface RangeClient extends PrometheusClient {
  /** `start`/`end` in Unix seconds, `step` in seconds. */
  queryRange(promql: string, range: TimeRange): Promise<MatrixSeries[]>;
}

export interface TimeRange {
  start: number;
  end: number;
  step: number;
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

export function createPrometheusClient(opts: ClientOptions): RangeClient {
  // What messages say: never a password from the URL's userinfo.
  const base = redactUrl(opts.url.replace(/\/+$/, '')).replace(/\/+$/, '');
  const clients = new Map<string, HttpClient>();
  /** POSTs a form to an API path; the answer's status and text, or a BackendError. */
  async function post(api: string, form: Record<string, string>): Promise<{ status: number; text: string }> {
    const body = new URLSearchParams({ ...form, timeout: `${Math.max(1, Math.floor(opts.timeoutMs / 1000))}s` });
    try {
      // Built at the first query, so a bad URL fails as a query does. Sockets are not
      // limited: the fleet commands send their queries in parallel.
      let http = clients.get(api);
      if (http === undefined) {
        http = new HttpClient(
          new URL(`${opts.url.replace(/\/+$/, '')}/api/v1/${api}`),
          opts.auth ?? {},
          opts.tls ?? {},
          {},
          Infinity,
        );
        clients.set(api, http);
      }
      // POST with a form body: long queries do not hit URL length limits.
      const r = await http.request('POST', body.toString(), opts.timeoutMs, {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        wholeBody: true,
      });
      return { status: r.status, text: r.body };
    } catch (err) {
      throw new BackendError(describeFetchError(base, err, opts.timeoutMs));
    }
  }
  return {
    url: base,
    async query(promql: string): Promise<VectorSample[]> {
      const started = Date.now();
      const { status, text } = await post('query', { query: promql });
      opts.onQuery?.(promql, Date.now() - started);
      return parseQueryResponse(base, status, text);
    },
    async queryRange(promql: string, range: TimeRange): Promise<MatrixSeries[]> {
      const started = Date.now();
      const { status, text } = await post('query_range', {
        query: promql,
        start: String(range.start),
        end: String(range.end),
        step: String(range.step),
      });
      opts.onQuery?.(`${promql} [range ${range.end - range.start}s, step ${range.step}s]`, Date.now() - started);
      return parseRangeResponse(base, status, text);
    },
  };
}

/** Pure: HTTP status + body text -> samples, or a BackendError naming the problem. */
export function parseQueryResponse(base: string, status: number, text: string): VectorSample[] {
  const samples = vectorOf(parseAnswer(base, status, text));
  if (typeof samples === 'string') throw new BackendError(`unexpected answer from Prometheus at ${base}: ${samples}`);
  return samples;
}

/** Pure: a query_range answer -> its series, or a BackendError naming the problem. */
export function parseRangeResponse(base: string, status: number, text: string): MatrixSeries[] {
  const series = matrixOf(parseAnswer(base, status, text));
  if (typeof series === 'string') throw new BackendError(`unexpected answer from Prometheus at ${base}: ${series}`);
  return series;
}

/** Pure: the JSON of an answer that succeeded, or a BackendError. */
function parseAnswer(base: string, status: number, text: string): QueryAnswer {
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
  return answer;
}

/** Pure: a failed request -> one line. The socket error is the `cause` (of the HTTP client's PushError, as of fetch's TypeError). */
export function describeFetchError(base: string, err: unknown, timeoutMs: number): string {
  // Duck-typed: AbortSignal.timeout() rejects with a DOMException, not always an `instanceof Error`.
  const name = typeof err === 'object' && err !== null && 'name' in err ? err.name : undefined;
  if (name === 'TimeoutError' || name === 'AbortError' || (err instanceof PushError && err.kind === 'timeout')) {
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
