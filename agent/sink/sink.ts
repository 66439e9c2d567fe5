import type { PushAuth, PushTls } from '../config/http-backend';
import type { FamilySnapshot } from '../metrics/exposition';

/** One cycle's output, as every sink receives it. */
export interface Batch {
  families: readonly FamilySnapshot[];
  /** The exposition text of `families`, UTF-8 (the Pushgateway's body, the scrape answer, `once --stdout`). */
  exposition: Buffer;
  /** When the cycle sampled, Unix milliseconds. */
  timestampMs: number;
}

/**
 * Where a cycle goes. A sink knows nothing of samplers or collectors: it gets
 * a Batch and delivers it. Chosen in one place (agent/cli/setup.ts); several
 * may run at once, each on its own (agent/loop/sink-runner.ts).
 */
export interface Sink {
  /** Its --sink name: the `sink` label of its metrics and logs. */
  readonly name: string;
  /** Where it delivers, for logs (no credentials). */
  readonly target: string;
  /** Resolves when the batch landed; rejects with PushError (a kind token) otherwise. `signal` aborts it. */
  send(batch: Batch, signal?: AbortSignal): Promise<void>;
  /**
   * Sinks whose samples carry timestamps keep every batch: while a send is in
   * flight, a new batch is queued at once (no network) and flushed after it.
   * Sinks without (Pushgateway, statsd) only ever need the newest.
   */
  readonly buffered?: {
    enqueue(batch: Batch): void;
    /** Sends what is queued; rejects like send. */
    flush(signal?: AbortSignal): Promise<void>;
  };
  /** Releases sockets. */
  close(): void;
}

/** Where an HTTP sink delivers, as whom, and how long one delivery may take. */
export interface HttpSinkTarget {
  url: URL;
  job: string;
  instance: string;
  timeoutMs: number;
  auth: PushAuth;
  tls: PushTls;
}
