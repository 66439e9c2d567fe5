import * as dgram from 'dgram';
import { isIPv6 } from 'net';
import type { Logger } from '../../log';
import { FailureLog } from '../../common/failure-log';
import type { SinkMetrics } from '../../metrics/sink-metrics';
import { GraphitePaths } from '../graphite/paths';
import type { Batch, Sink } from '../sink';
import { gaugeDatagrams } from './datagrams';

export interface StatsdSinkOptions {
  host: string;
  port: number;
  prefix: readonly string[];
  instance: string;
  maxDatagramBytes: number;
  metrics: SinkMetrics;
  logger: Logger;
}

/**
 * statsd gauges over UDP, fire and forget: send() resolves once the kernel
 * took the datagrams, waiting for no answer, so it never holds up a cycle.
 * statsd takes no timestamps, so nothing is buffered: a datagram the kernel
 * refuses (nothing listening: ECONNREFUSED on the connected socket; no
 * route) is counted in samples_dropped{reason="send_failed"} and logged once
 * per change of state. Datagrams lost in the network are not seen.
 */
export class StatsdSink implements Sink {
  readonly name = 'statsd';
  private readonly paths: GraphitePaths;
  private socket: dgram.Socket;
  private connected: Promise<void> | undefined;
  private readonly log: FailureLog;

  constructor(private readonly opts: StatsdSinkOptions) {
    this.paths = new GraphitePaths(opts.prefix, opts.instance);
    this.socket = this.createSocket();
    this.log = new FailureLog(opts.logger, 'statsd send', { sink: this.name, address: this.target });
  }

  get target(): string {
    return `udp://${isIPv6(this.opts.host) ? `[${this.opts.host}]` : this.opts.host}:${this.opts.port}`;
  }

  async send(batch: Batch): Promise<void> {
    const { metrics } = this.opts;
    const sink = this.name;
    const { datagrams, lines, tooLong } = gaugeDatagrams(batch.families, this.paths, this.opts.maxDatagramBytes);
    if (tooLong > 0) {
      metrics.samplesDropped.inc({ sink, reason: 'too_long' }, tooLong);
      this.opts.logger.debug(`statsd: ${tooLong} lines longer than --statsd-max-datagram not sent`, { sink });
    }
    try {
      await this.connect();
    } catch (err) {
      // A failed connect (a name that does not resolve) leaves the socket unusable: start over next cycle.
      this.connected = undefined;
      this.socket.close();
      this.socket = this.createSocket();
      const total = lines.reduce((a, b) => a + b, 0);
      metrics.samplesDropped.inc({ sink, reason: 'send_failed' }, total);
      this.log.failed('connect', `cannot reach ${this.target}: ${(err as Error).message}`);
      return;
    }
    // Resolves once the kernel took (or refused) every datagram: immediate for UDP, and `once` closes the socket after.
    let failed = 0;
    let firstError: NodeJS.ErrnoException | undefined;
    await Promise.all(
      datagrams.map(
        (d, i) =>
          new Promise<void>((resolve) => {
            this.socket.send(d, (err) => {
              if (err) {
                failed += lines[i];
                firstError ??= err;
              } else metrics.samplesSent.inc({ sink }, lines[i]);
              resolve();
            });
          }),
      ),
    );
    // One verdict per cycle: a stopped statsd refuses every other datagram (one ICMP answer per refusal), which must not read as flapping.
    if (firstError === undefined) return this.log.succeeded();
    metrics.samplesDropped.inc({ sink, reason: 'send_failed' }, failed);
    this.log.failed(
      firstError.code ?? 'error',
      `${this.target}: ${firstError.message} (${failed} gauges of this cycle dropped)`,
    );
  }

  private createSocket(): dgram.Socket {
    const socket = dgram.createSocket(isIPv6(this.opts.host) ? 'udp6' : 'udp4');
    // Send errors arrive in their callbacks too, and a failed connect rejects connect(): nothing to do here.
    socket.on('error', () => undefined);
    return socket;
  }

  /** connect() once: a connected UDP socket hears ICMP port-unreachable, so sends to a stopped statsd fail visibly. */
  private connect(): Promise<void> {
    this.connected ??= new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.socket.once('error', onError);
      this.socket.connect(this.opts.port, this.opts.host, () => {
        this.socket.off('error', onError);
        resolve();
      });
    });
    return this.connected;
  }

  close(): void {
    this.socket.close();
  }
}
