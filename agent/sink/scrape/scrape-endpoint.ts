import type { IncomingMessage } from 'http';
import { promisify } from 'util';
import { gzip } from 'zlib';
import type { ScrapeConfig } from '../../config/sink-config';
import type { Logger } from '../../log';
import { WebServer, type WebResponse } from '../../web/server';
import type { Batch, Sink } from '../sink';

const gzipAsync = promisify(gzip);

/** The text format 0.0.4: what Prometheus parses fastest and every scraper understands. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

interface Rendered {
  text: Buffer;
  gzip: Buffer;
}

/**
 * The scrape endpoint of `--sink scrape`: `/metrics` answers with the bytes
 * the latest completed cycle already rendered (and gzipped once), so a scrape
 * never samples, never waits for a cycle in progress, and any number of
 * scrapers cost one copy from memory each. It lives as long as `run`
 * (reloads keep it, and so keep serving the last cycle), while the sink that
 * feeds it is made anew with each configuration.
 */
export class ScrapeEndpoint {
  private latest: Rendered | undefined;
  /** Set by start(), before anything can reach a route. */
  private server: WebServer | undefined;

  private constructor(readonly config: ScrapeConfig) {}

  static async start(config: ScrapeConfig, logger: Logger): Promise<ScrapeEndpoint> {
    const e = new ScrapeEndpoint(config);
    e.server = await WebServer.start({
      host: config.host,
      port: config.port,
      what: `--listen-address ${config.listenText}`,
      web: config.web,
      routes: {
        '/metrics': (req) => e.metrics(req),
        '/': () => e.index(),
        '/-/healthy': () => ({ status: 200, body: 'Healthy\n' }),
        '/-/ready': () =>
          e.latest === undefined
            ? { status: 503, body: 'Not ready: no cycle has completed yet\n' }
            : { status: 200, body: 'Ready\n' },
      },
      open: ['/-/healthy', '/-/ready'],
      logger,
    });
    return e;
  }

  private get listening(): WebServer {
    if (this.server === undefined) throw new Error('the scrape endpoint is not started');
    return this.server;
  }

  /** Where it listens, for the start-up log: http://[::]:19150/metrics. */
  get url(): string {
    const { host, port } = this.listening.address;
    return `${this.listening.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
  }

  get port(): number {
    return this.listening.address.port;
  }

  /** Makes `batch` the one served: rendered bytes and their gzip, swapped in together once both exist. */
  async publish(batch: Batch): Promise<void> {
    const text = batch.exposition;
    // Level 1, as the Pushgateway sink: nearly all of level 6's saving on exposition text at a fraction of the CPU.
    this.latest = { text, gzip: await gzipAsync(text, { level: 1 }) };
  }

  /** A sink that feeds this endpoint (one per configuration; closing it leaves the endpoint serving). */
  sink(): Sink {
    return {
      name: 'scrape',
      target: this.url,
      send: (batch) => this.publish(batch),
      close: () => undefined,
    };
  }

  close(): Promise<void> {
    return this.listening.close();
  }

  private metrics(req: IncomingMessage): WebResponse {
    const latest = this.latest;
    if (latest === undefined)
      return {
        status: 503,
        headers: { 'Retry-After': '1' },
        body: 'no cycle has completed yet: the first one runs right after start; scrape again\n',
      };
    const gz = acceptsGzip(req.headers['accept-encoding']);
    return {
      status: 200,
      headers: {
        'Content-Type': EXPOSITION_CONTENT_TYPE,
        Vary: 'Accept-Encoding',
        ...(gz ? { 'Content-Encoding': 'gzip' } : {}),
      },
      body: gz ? latest.gzip : latest.text,
    };
  }

  private index(): WebResponse {
    return {
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body:
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>hostpulse</title></head><body>\n' +
        '<h1>hostpulse</h1>\n<p>Host and process metrics of this host, from the latest completed cycle.</p>\n' +
        '<ul><li><a href="metrics">/metrics</a></li><li><a href="-/healthy">/-/healthy</a></li>' +
        '<li><a href="-/ready">/-/ready</a></li></ul>\n</body></html>\n',
    };
  }
}

/** True when Accept-Encoding lists gzip (or *) without q=0. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of text.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
    if (q === undefined || Number(q[1]) > 0) return true;
  }
  return false;
}
