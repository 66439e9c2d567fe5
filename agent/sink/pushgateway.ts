import * as http from 'http';
import * as https from 'https';
import type { PushAuth, PushTls } from '../config/agent-config';
import { groupUrl } from './grouping-key';
import type { Batch, Sink } from './sink';
import { PushError } from './push-error';

export interface PushgatewaySinkOptions {
  url: URL;
  job: string;
  instance: string;
  timeoutMs: number;
  auth: PushAuth;
  tls: PushTls;
}

/** Longest part of an error body kept in a log line. */
const MAX_BODY = 512;

/**
 * PUTs the exposition text to the group of this host, so the group is replaced
 * whole and exited processes vanish. One keep-alive socket at most: pushes
 * never overlap (the loop awaits each), and a hung gateway cannot pile up
 * connections. prom-client's Pushgateway class is not used because it does
 * not base64-encode label values with '/'.
 */
export class PushgatewaySink implements Sink {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly client: typeof http | typeof https;

  constructor(private readonly opts: PushgatewaySinkOptions) {
    this.url = groupUrl(opts.url, opts.job, opts.instance);
    const secure = opts.url.protocol === 'https:';
    this.client = secure ? https : http;
    this.agent = secure
      ? new https.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, ca: opts.tls.ca, cert: opts.tls.cert, key: opts.tls.key })
      : new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
    this.headers = { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' };
    if (opts.auth.bearerToken !== undefined) this.headers.Authorization = `Bearer ${opts.auth.bearerToken}`;
    else if (opts.auth.username !== undefined) {
      const cred = Buffer.from(`${opts.auth.username}:${opts.auth.password ?? ''}`).toString('base64');
      this.headers.Authorization = `Basic ${cred}`;
    }
  }

  get target(): string {
    return this.url.toString();
  }

  /** Resolves when the gateway answered 2xx; rejects with PushError otherwise. `signal` aborts it. */
  send(batch: Batch, signal?: AbortSignal): Promise<void> {
    const body = batch.text;
    return new Promise((resolve, reject) => {
      const req = this.client.request(
        this.url,
        {
          method: 'PUT',
          agent: this.agent,
          headers: { ...this.headers, 'Content-Length': Buffer.byteLength(body) },
          timeout: this.opts.timeoutMs,
          signal,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < MAX_BODY) text += chunk;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new PushError(`HTTP ${status}: ${text.trim().slice(0, MAX_BODY) || '(empty body)'}`, `http_${status}`));
          });
          res.on('error', (err) => reject(new PushError(`reading the answer: ${err.message}`, 'connection')));
        },
      );
      // `timeout` fires on socket inactivity; a gateway that trickles bytes is bounded by the overall timer.
      const overall = setTimeout(() => req.destroy(new PushError(`no answer within ${this.opts.timeoutMs}ms`, 'timeout')), this.opts.timeoutMs);
      req.on('timeout', () => req.destroy(new PushError(`no answer within ${this.opts.timeoutMs}ms`, 'timeout')));
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
