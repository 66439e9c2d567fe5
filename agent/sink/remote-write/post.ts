import type { PushAuth, PushTls } from '../../config/agent-config';
import { VERSION } from '../../version';
import { HttpClient } from '../../common/http-client';

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
  private readonly http: HttpClient;

  constructor(url: URL, auth: PushAuth, tls: PushTls, extraHeaders: Readonly<Record<string, string>>) {
    this.http = new HttpClient(url, auth, tls, {
      ...extraHeaders,
      'Content-Type': 'application/x-protobuf',
      'Content-Encoding': 'snappy',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': `hostpulse/${VERSION}`,
    });
  }

  get url(): URL {
    return this.http.url;
  }

  async post(body: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<PostAnswer> {
    const a = await this.http.request('POST', body, timeoutMs, { signal });
    return {
      status: a.status,
      body: a.body,
      retryAfterMs: parseRetryAfter(a.headers['retry-after']),
    };
  }

  close(): void {
    this.http.close();
  }
}

/** Retry-After: delay-seconds or an HTTP date. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
