import * as net from 'net';
import { PushError } from '../push-error';

/**
 * One TCP connection to carbon's plaintext port, kept open between cycles and
 * opened again after any failure. Carbon never answers, so a write counts as
 * done once the kernel took it; a peer that closed (carbon restarted) is
 * noticed from its FIN before the next write, which then reconnects.
 */
export class CarbonConnection {
  private socket: net.Socket | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  get target(): string {
    return `tcp://${net.isIPv6(this.host) ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Writes `body` whole within `timeoutMs` (connecting first if needed); rejects with PushError. */
  async write(body: Buffer, timeoutMs: number, signal?: AbortSignal): Promise<void> {
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
      const timer = setTimeout(() => fail(new PushError(`${this.target}: no write within ${timeoutMs}ms`, 'timeout')), timeoutMs);
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
    if (this.socket === socket) this.socket = undefined;
    socket.destroy();
  }

  close(): void {
    if (this.socket) this.drop(this.socket);
  }
}
