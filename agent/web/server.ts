import * as http from 'http';
import * as https from 'https';
import type { TLSSocket } from 'tls';
import type { Logger } from '../log';
import { UsageError } from '../errors';
import { BasicAuth } from './basic-auth';
import type { WebConfig } from './web-config';

/** What a route answers: status, headers and the whole body (HEAD gets the headers only). */
export interface WebResponse {
  status: number;
  headers?: Record<string, string>;
  body: Buffer | string;
}

/** A route answers from memory, or asynchronously (fleet serve asks Prometheus first). */
export type Route = (req: http.IncomingMessage) => WebResponse | Promise<WebResponse>;

export interface WebServerOptions {
  /** Undefined: every address of the host (IPv6 and IPv4). */
  host: string | undefined;
  port: number;
  /** The flag and value that chose the address, for errors: `--listen-address :19150`. */
  what: string;
  web: WebConfig;
  /** Exact paths; anything else is 404. */
  routes: Readonly<Record<string, Route>>;
  /** Path prefixes ending in `/` (`/host/`), for paths that carry a name; an exact route wins. */
  prefixes?: Readonly<Record<string, Route>>;
  /** Paths answered without basic auth (health probes, which kubelet sends without credentials). */
  open?: readonly string[];
  logger: Logger;
}

/**
 * The bounds of one server. A scraper needs one connection and a request of a
 * few hundred bytes; anything beyond these is someone else's problem.
 */
export const LIMITS = {
  /** Connections at once: a Prometheus HA pair, a few people with curl, probes, parallel scrapes. More are refused. */
  maxConnections: 32,
  /** Request line plus headers (Node's default is 16 KiB). */
  maxHeaderBytes: 8 * 1024,
  /** A client must have sent its headers within this (slowloris). */
  headersTimeoutMs: 10_000,
  /** ... and the whole request within this. */
  requestTimeoutMs: 15_000,
  /** An idle keep-alive connection is closed after this: long enough for a 15 s scrape interval to reuse it. */
  keepAliveTimeoutMs: 20_000,
  /** A TLS handshake must end within this (Node's default is 120 s). */
  handshakeTimeoutMs: 10_000,
  /** A socket without any traffic for this long is destroyed, whatever state it is in. */
  idleSocketMs: 30_000,
} as const;

/**
 * A small hardened HTTP(S) server for read-only pages (the scrape endpoint;
 * `fleet serve`): GET and HEAD only, bounded requests, timeouts, few
 * connections, and the exporter-toolkit web config (TLS, client
 * certificates, basic auth). Routes answer from memory or asynchronously.
 */
export class WebServer {
  private auth: BasicAuth;

  private constructor(
    private readonly server: http.Server | https.Server,
    private readonly opts: WebServerOptions,
  ) {
    this.auth = new BasicAuth(opts.web.users);
  }

  /** Listens; rejects with UsageError naming `what` when the address cannot be used. */
  static async start(opts: WebServerOptions): Promise<WebServer> {
    const httpOptions: http.ServerOptions = {
      maxHeaderSize: LIMITS.maxHeaderBytes,
      headersTimeout: LIMITS.headersTimeoutMs,
      requestTimeout: LIMITS.requestTimeoutMs,
      // The timeouts above are checked this often (Node's default: every 30 s).
      connectionsCheckingInterval: 1000,
    };
    const tls = opts.web.tls;
    const server =
      tls === undefined
        ? http.createServer(httpOptions)
        : https.createServer({
            ...httpOptions,
            cert: tls.cert,
            key: tls.key,
            ca: tls.ca,
            minVersion: tls.minVersion,
            maxVersion: tls.maxVersion,
            requestCert: tls.clientAuthType !== 'NoClientCert',
            // Only this type fails the handshake itself; the two below are checked once the handshake is done.
            rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
            handshakeTimeout: LIMITS.handshakeTimeoutMs,
          });
    server.maxConnections = LIMITS.maxConnections;
    server.keepAliveTimeout = LIMITS.keepAliveTimeoutMs;
    server.setTimeout(LIMITS.idleSocketMs);
    const web = new WebServer(server, opts);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => web.handle(req, res));
    if (tls !== undefined) {
      server.on('secureConnection', (socket: TLSSocket) => {
        const cert = socket.getPeerCertificate();
        const given = cert !== null && Object.keys(cert).length > 0;
        if (
          (tls.clientAuthType === 'RequireAnyClientCert' && !given) ||
          (tls.clientAuthType === 'VerifyClientCertIfGiven' && given && !socket.authorized)
        )
          socket.destroy();
      });
      server.on('tlsClientError', (err: Error) =>
        opts.logger.debug(`${opts.what}: TLS handshake failed: ${err.message}`),
      );
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => reject(listenError(opts, err));
      server.once('error', onError);
      server.listen({ host: opts.host, port: opts.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err: Error) => opts.logger.error(`${opts.what}: ${err.message}`));
    return web;
  }

  /** The bound address (port 0 resolved), for logs and tests. */
  get address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') return { host: String(a), port: 0 };
    return { host: a.address, port: a.port };
  }

  get tls(): boolean {
    return this.opts.web.tls !== undefined;
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.answer(req).then(
      (r) => send(req, res, r),
      (err: unknown) => {
        this.opts.logger.error(`${this.opts.what}: ${req.url ?? ''}: ${(err as Error).message}`);
        send(req, res, { status: 500, body: 'internal error\n' });
      },
    );
  }

  private async answer(req: http.IncomingMessage): Promise<WebResponse> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return { status: 405, headers: { Allow: 'GET, HEAD' }, body: 'only GET and HEAD\n' };
    // A GET has no body; one that brings one is not a scraper.
    if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0)
      return { status: 413, body: 'a request body is not accepted\n' };
    const path = pathOf(req.url);
    const route = path === undefined ? undefined : routeOf(path, this.opts.routes, this.opts.prefixes ?? {});
    if (route === undefined || path === undefined) return { status: 404, body: 'not found\n' };
    if (this.auth.enabled && !(this.opts.open ?? []).includes(path)) {
      if (!(await this.auth.check(req.headers.authorization)))
        return { status: 401, headers: { 'WWW-Authenticate': 'Basic' }, body: 'Unauthorized\n' };
    }
    return route(req);
  }
}

/** The route of a path: the exact one, else the longest matching prefix. */
export function routeOf(
  path: string,
  routes: Readonly<Record<string, Route>>,
  prefixes: Readonly<Record<string, Route>>,
): Route | undefined {
  if (Object.hasOwn(routes, path)) return routes[path];
  const prefix = Object.keys(prefixes)
    .filter((p) => path.startsWith(p) && path.length > p.length)
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : prefixes[prefix];
}

/** The path of a request target (origin or absolute form), or undefined when it is not one. */
export function pathOf(target: string | undefined): string | undefined {
  if (target === undefined || (!target.startsWith('/') && !/^https?:\/\//i.test(target))) return undefined;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    // Not a URL at all (the parser already let it through): no route has it.
    return undefined;
  }
}

function send(req: http.IncomingMessage, res: http.ServerResponse, r: WebResponse): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof r.body === 'string' ? Buffer.from(r.body) : r.body;
  const headers: Record<string, string | number> = {
    'Content-Type': 'text/plain; charset=utf-8',
    ...r.headers,
    'Content-Length': body.length,
  };
  // An error answer closes the connection: whatever the client sent after it (a body, garbage) is not read.
  if (r.status >= 400) headers.Connection = 'close';
  res.writeHead(r.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function listenError(opts: WebServerOptions, err: NodeJS.ErrnoException): UsageError {
  const why: Record<string, string> = {
    EADDRINUSE: `port ${opts.port} is already in use (another hostpulse, or an exporter?)`,
    EADDRNOTAVAIL: `${opts.host ?? ''} is not an address of this host`,
    EACCES: `permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)`,
    ENOTFOUND: `cannot resolve ${opts.host ?? ''}`,
    EAI_AGAIN: `cannot resolve ${opts.host ?? ''}`,
  };
  return new UsageError(`${opts.what}: cannot listen: ${why[err.code ?? ''] ?? err.message}`);
}
