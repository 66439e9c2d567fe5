import { PushError } from '../../agent/common/push-error';
import type { Batch, Sink } from '../../agent/sink/sink';
import type { RequestQueue } from '../../agent/sink/buffer/queue';

/** What one simulated host's deliveries did, counted by the sink wrapper around its real sink. */
export interface HostCounts {
  /** Cycles rendered and handed to the sink, and their samples. */
  pushes: number;
  samplesOffered: number;
  /** send() resolved / rejected (by PushError kind). */
  pushesOk: number;
  pushesFailed: number;
  failures: Record<string, number>;
  /** Samples of the pushes that resolved (the Pushgateway's accepted count; remote write reads its own counter). */
  samplesInOkPushes: number;
  /** Samples of the newest push that resolved: what the gateway holds for this host now. */
  lastOkSamples: number;
  /** Milliseconds each send() took, resolved or not. */
  latenciesMs: number[];
}

export function emptyCounts(): HostCounts {
  return {
    pushes: 0,
    samplesOffered: 0,
    pushesOk: 0,
    pushesFailed: 0,
    failures: {},
    samplesInOkPushes: 0,
    lastOkSamples: 0,
    latenciesMs: [],
  };
}

/** Series in a batch: one sample each. */
export function countSamples(families: readonly { values: readonly unknown[] }[]): number {
  let n = 0;
  for (const f of families) n += f.values.length;
  return n;
}

/**
 * Wraps a host's real sink and counts what it did. Changes nothing of the
 * delivery: the batch, the signal and the outcome pass through.
 */
export class MeasuredSink implements Sink {
  readonly counts = emptyCounts();
  readonly buffered: Sink['buffered'];
  /**
   * Remote write adds a staleness marker for each series gone since the last cycle, and the
   * receiver stores and counts it as a sample: for a buffered sink, offered counts the samples
   * of each request as its queue takes it (the encoder's own count, markers included), so
   * offered = accepted + buffered + dropped without tracking every host's series a second time.
   */
  private readonly queued: boolean;

  constructor(
    private readonly inner: Sink,
    /** Sees every batch before it goes (the simulator samples push sizes here). */
    private readonly onBatch?: (batch: Batch) => void,
    /** The buffered sink's queue: its requests' samples are what was offered. */
    queue?: RequestQueue,
  ) {
    this.queued = queue !== undefined;
    if (queue !== undefined) {
      const push = queue.push.bind(queue);
      queue.push = (req) => {
        this.counts.samplesOffered += req.samples;
        return push(req);
      };
    }
    // A buffered sink takes the cycles that come during a delivery into its buffer and flushes them after it: counted alike.
    const buffered = inner.buffered;
    this.buffered = buffered && {
      enqueue: (batch) => {
        this.offered(batch);
        buffered.enqueue(batch);
      },
      flush: (signal) => this.measure(0, () => buffered.flush(signal)),
    };
  }

  get name(): string {
    return this.inner.name;
  }

  get target(): string {
    return this.inner.target;
  }

  send(batch: Batch, signal?: AbortSignal): Promise<void> {
    return this.measure(this.offered(batch), () => this.inner.send(batch, signal));
  }

  close(): void {
    this.inner.close();
  }

  private offered(batch: Batch): number {
    this.onBatch?.(batch);
    this.counts.pushes++;
    if (this.queued) return 0;
    const samples = countSamples(batch.families);
    this.counts.samplesOffered += samples;
    return samples;
  }

  /** One delivery: `samples` of the batch it carries (0 for a buffered sink: remote write counts its own). */
  private async measure(samples: number, deliver: () => Promise<void>): Promise<void> {
    const c = this.counts;
    const t0 = performance.now();
    try {
      await deliver();
      c.pushesOk++;
      c.samplesInOkPushes += samples;
      if (samples > 0) c.lastOkSamples = samples;
    } catch (err) {
      c.pushesFailed++;
      const kind = err instanceof PushError ? failureKind(err) : 'unknown';
      c.failures[kind] = (c.failures[kind] ?? 0) + 1;
      throw err;
    } finally {
      c.latenciesMs.push(performance.now() - t0);
    }
  }
}

/**
 * The kind of a failed delivery, with the network's error code for a connection error
 * (`connection:ECONNRESET`, `connection:socket hang up`): the buffered sink rewraps the
 * error, so the code is read from its message.
 */
export function failureKind(err: PushError): string {
  if (err.kind !== 'connection') return err.kind;
  const code = /\b(E[A-Z]{3,})\b|(socket hang up)/.exec(err.message);
  return code === null ? err.kind : `connection:${code[1] ?? code[2]}`;
}
