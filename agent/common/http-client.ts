import * as http from 'http';
import * as https from 'https';
import type { PushAuth, PushTls } from '../config/http-backend';
import { PushError } from './push-error';

/** Longest part of an error body kept in a log line. */
const MAX_BODY = 512;

export interface HttpAnswer {
  status: number;
  /** The start of the body, trimmed, for log lines. */
  body: string;
  headers: http.IncomingHttpHeaders;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Another path on the same backend (a spool file's Pushgateway group); the client's own by default. */
  url?: URL;
  /** Headers of this request only (a form body's Content-Type). */
  headers?: Readonly<Record<string, string>>;
  /** The whole body (an API answer to parse) instead of its start, trimmed, for log lines. */
  wholeBody?: boolean;
}

/**
 * The one HTTP client of the agent and the fleet commands: keep-alive sockets
 * (one at most by default: a sink's deliveries never overlap, and a hung
 * backend cannot pile up connections), the auth header, TLS, and an overall
 * timeout. Resolves with any HTTP answer; rejects with PushError
 * (`connection`, `timeout`, `aborted`) when there is none, the network error
 * as its `cause`.
 */
export class HttpClient {
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly headers: Record<string, string>;

  constructor(
    readonly url: URL,
    auth: PushAuth,
    tls: PushTls,
    headers: Readonly<Record<string, string>>,
    /** Requests at once: 1 for a sink; the fleet commands send their queries in parallel. */
    maxSockets = 1,
  ) {
    const secure = url.protocol === 'https:';
    this.client = secure ? https : http;
    const sockets = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets };
    this.agent = secure
      ? new https.Agent({ ...sockets, ca: tls.ca, cert: tls.cert, key: tls.key })
      : new http.Agent(sockets);
    this.headers = { ...headers };
    if (auth.bearerToken !== undefined) this.headers.Authorization = `Bearer ${auth.bearerToken}`;
    else if (auth.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
    }
  }

  request(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    body: string | Buffer,
    timeoutMs: number,
    opts: RequestOptions = {},
  ): Promise<HttpAnswer> {
    const deadline = performance.now() + timeoutMs;
    return this.attempt(method, body, timeoutMs, opts).catch((err: unknown) => {
      // A keep-alive socket the backend closed while idle (its idle timeout, e.g. VictoriaMetrics' 1 min
      // against a 60 s interval) fails the request written to it before any answer: the backend never read
      // it, so it goes once more at once, on a new connection, within what is left of the timeout.
      const left = deadline - performance.now();
      if (!(err instanceof StaleSocketError) || left <= 0) throw err instanceof StaleSocketError ? err.error : err;
      return this.attempt(method, body, left, opts).catch((again: unknown) => {
        throw again instanceof StaleSocketError ? again.error : again;
      });
    });
  }

  /** One try; a request that failed on a reused socket before any answer rejects with StaleSocketError. */
  private attempt(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    body: string | Buffer,
    timeoutMs: number,
    opts: RequestOptions,
  ): Promise<HttpAnswer> {
    const { signal, url = this.url, wholeBody = false } = opts;
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = this.client.request(
        url,
        {
          method,
          agent: this.agent,
          headers: { ...this.headers, ...opts.headers, 'Content-Length': Buffer.byteLength(body) },
          timeout: timeoutMs,
          signal,
        },
        (res) => {
          answered = true;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (wholeBody || text.length < MAX_BODY) text += chunk;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: wholeBody ? text : text.trim().slice(0, MAX_BODY),
              headers: res.headers,
            }),
          );
          res.on('error', (err) => reject(new PushError(`reading the answer: ${err.message}`, 'connection', err)));
        },
      );
      // `timeout` fires on socket inactivity; a backend that trickles bytes is bounded by the overall timer.
      // Both give up only after the event loop's next poll: a timer that fired late because this process
      // was busy (the next cycle's synchronous /proc reads) must not discard an answer already received.
      const giveUp = (): void => {
        setImmediate(() => req.destroy(new PushError(`no answer within ${timeoutMs}ms`, 'timeout')));
      };
      const overall = setTimeout(giveUp, timeoutMs);
      req.on('timeout', giveUp);
      req.on('error', (err) => {
        if (err instanceof PushError) reject(err);
        else if (err.name === 'AbortError') reject(new PushError('aborted at shutdown', 'aborted'));
        else {
          const error = new PushError(`${url.host}: ${err.message}`, 'connection', err);
          reject(req.reusedSocket && !answered && isReset(err) ? new StaleSocketError(error) : error);
        }
      });
      req.on('close', () => clearTimeout(overall));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A request lost on a reused keep-alive socket before any answer; `error` is what the caller sees if it fails again. */
class StaleSocketError extends Error {
  constructor(readonly error: PushError) {
    super(error.message);
  }
}

/** The peer closed the connection under the request (reset, or closed before answering). */
function isReset(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
