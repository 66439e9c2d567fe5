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

/**
 * The HTTP client of a sink: one keep-alive socket at most (deliveries never
 * overlap, and a hung backend cannot pile up connections), the auth header,
 * and an overall timeout. Resolves with any HTTP answer; rejects with
 * PushError (`connection`, `timeout`, `aborted`) when there is none.
 */
export class OneSocketClient {
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly headers: Record<string, string>;

  constructor(
    readonly url: URL,
    auth: PushAuth,
    tls: PushTls,
    headers: Readonly<Record<string, string>>,
  ) {
    const secure = url.protocol === 'https:';
    this.client = secure ? https : http;
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, ca: tls.ca, cert: tls.cert, key: tls.key })
      : new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.headers = { ...headers };
    if (auth.bearerToken !== undefined) this.headers.Authorization = `Bearer ${auth.bearerToken}`;
    else if (auth.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
    }
  }

  /** `url`: another path on the same backend (a spool file's Pushgateway group); the client's own by default. */
  request(
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    body: string | Buffer,
    timeoutMs: number,
    signal?: AbortSignal,
    url: URL = this.url,
    /** How much of the body to keep: the start for a log line by default; a listing needs all of it. */
    maxBody = MAX_BODY,
  ): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const req = this.client.request(
        url,
        {
          method,
          agent: this.agent,
          headers: { ...this.headers, 'Content-Length': Buffer.byteLength(body) },
          timeout: timeoutMs,
          signal,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < maxBody) text += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text.trim().slice(0, maxBody), headers: res.headers }),
          );
          res.on('error', (err) => reject(new PushError(`reading the answer: ${err.message}`, 'connection')));
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
        else reject(new PushError(`${url.host}: ${err.message}`, 'connection'));
      });
      req.on('close', () => clearTimeout(overall));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
