import * as net from 'net';
import { PushError } from '../../common/push-error';

/** Writes this recent on a connection the peer then drops are handed back: carbon may not have read them. */
const LOST_WINDOW_MS = 10_000;

/**
 * One TCP connection to carbon's plaintext port, kept open between cycles and
 * opened again after any failure. Carbon never answers, so a write counts as
 * done once the kernel took it; a peer that closed (carbon restarted) is
 * noticed from its FIN before the next write, which then reconnects. A carbon
 * that stops while lines sit unread in its socket loses them: so when a
 * connection ends other than by close(), the writes of its last 10 s go to
 * `onLost` (at least once, as the plaintext protocol allows).
 */
export class CarbonConnection<T> {
  private socket: net.Socket | undefined;
  private recent: Array<{ item: T; at: number }> = [];

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly onLost: (items: T[]) => void,
  ) {}

  get target(): string {
    return `tcp://${net.isIPv6(this.host) ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Writes `body` (standing for `item`) whole within `timeoutMs`, connecting first if needed; rejects with PushError. */
  async write(body: Buffer, item: T, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new PushError('aborted at shutdown', 'aborted');
    const socket = this.socket ?? this.open();
    await new Promise<void>((resolve, reject) => {
      const fail = (err: PushError): void => {
        cleanup();
        this.drop(socket);
        reject(err);
      };
      const onError = (err: Error): void => fail(new PushError(`${this.target}: ${err.message}`, 'connection'));
      const onClose = (): void => fail(new PushError(`${this.target}: connection closed`, 'connection'));
      const onAbort = (): void => fail(new PushError('aborted at shutdown', 'aborted'));
      const timer = setTimeout(
        () => fail(new PushError(`${this.target}: no write within ${timeoutMs}ms`, 'timeout')),
        timeoutMs,
      );
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
        signal?.removeEventListener('abort', onAbort);
      };
      socket.on('error', onError);
      socket.on('close', onClose);
      signal?.addEventListener('abort', onAbort);
      socket.write(body, (err) => {
        if (err) return fail(new PushError(`${this.target}: ${err.message}`, 'connection'));
        cleanup();
        const now = performance.now();
        this.recent = this.recent.filter((r) => now - r.at < LOST_WINDOW_MS);
        this.recent.push({ item, at: now });
        resolve();
      });
    });
  }

  private open(): net.Socket {
    const socket = net.createConnection({ host: this.host, port: this.port });
    socket.setKeepAlive(true, 30_000);
    // Carbon sends nothing; reading keeps the FIN of a closing carbon visible.
    socket.resume();
    socket.on('end', () => this.drop(socket));
    // Between writes an error only means the connection is gone: the next write opens a new one.
    socket.on('error', () => this.drop(socket));
    socket.on('close', () => this.drop(socket));
    this.socket = socket;
    return socket;
  }

  private drop(socket: net.Socket): void {
    if (this.socket === socket) {
      this.socket = undefined;
      const now = performance.now();
      const lost = this.recent.filter((r) => now - r.at < LOST_WINDOW_MS).map((r) => r.item);
      this.recent = [];
      if (lost.length > 0) this.onLost(lost);
    }
    socket.destroy();
  }

  close(): void {
    this.recent = [];
    if (this.socket) this.drop(this.socket);
  }
}
