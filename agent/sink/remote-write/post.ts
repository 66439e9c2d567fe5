import * as http from 'http';
import * as https from 'https';
import type { PushAuth, PushTls } from '../../config/agent-config';
import { VERSION } from '../../version';
import { PushError } from '../push-error';

/** Longest part of an error body kept in a log line. */
const MAX_BODY = 512;

export interface PostAnswer {
  status: number;
  body: string;
  /** Retry-After in ms, when the receiver sent one we could read. */
  retryAfterMs: number | undefined;
}

/**
 * POSTs remote-write bodies over at most one keep-alive connection (requests
 * never overlap). Resolves with any HTTP answer; rejects with PushError
 * (`connection`, `timeout`, `aborted`) when there is none.
 */
export class RemoteWritePoster {
  private readonly agent: http.Agent;
  private readonly client: typeof http | typeof https;
  private readonly headers: Record<string, string>;

  constructor(
    readonly url: URL,
    auth: PushAuth,
    tls: PushTls,
    extraHeaders: Readonly<Record<string, string>>,
  ) {
    const secure = url.protocol === 'https:';
    this.client = secure ? https : http;
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, ca: tls.ca, cert: tls.cert, key: tls.key })
      : new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.headers = {
      ...extraHeaders,
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': `hostpulse/${VERSION}`,
    };
    if (auth.bearerToken !== undefined) this.headers.Authorization = `Bearer ${auth.bearerToken}`;
    else if (auth.username !== undefined) {
      this.headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
    }
  }

  post(body: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<PostAnswer> {
    return new Promise((resolve, reject) => {
      const req = this.client.request(
        this.url,
        { method: 'POST', agent: this.agent, headers: { ...this.headers, 'Content-Length': body.length }, timeout: timeoutMs, signal },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < MAX_BODY) text += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text.trim().slice(0, MAX_BODY), retryAfterMs: parseRetryAfter(res.headers['retry-after']) }),
          );
          res.on('error', (err) => reject(new PushError(`reading the answer: ${err.message}`, 'connection')));
        },
      );
      const overall = setTimeout(() => req.destroy(new PushError(`no answer within ${timeoutMs}ms`, 'timeout')), timeoutMs);
      req.on('timeout', () => req.destroy(new PushError(`no answer within ${timeoutMs}ms`, 'timeout')));
      req.on('error', (err) => {
        if (err instanceof PushError) reject(err);
        else if (err.name === 'AbortError') reject(new PushError('aborted at shutdown', 'aborted'));
        else reject(new PushError(`${this.url.host}: ${err.message}`, 'connection'));
      });
      req.on('close', () => clearTimeout(overall));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Retry-After: delay-seconds or an HTTP date. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
