import type { SpoolSample } from '../spool/check-exposition';

/** One batch job's result as the spool delivers it. */
export interface JobFile {
  job: string;
  /** The file's exposition text, as written (the Pushgateway's body). */
  text: string;
  /** Its samples (remote write). */
  samples: readonly SpoolSample[];
  /** The file's modification time, Unix ms (remote write's sample timestamp). */
  timestampMs: number;
}

/** The backend's answer; the spool deletes the file only on a 2xx. */
export interface FileAnswer {
  status: number;
  body: string;
  retryAfterMs?: number;
}

/**
 * How a spool file reaches the configured backend, beside the cycle's own
 * Sink and through the same HTTP client, auth and TLS. Chosen in one place:
 * fileDeliveryFor in agent/cli/setup.ts.
 */
export interface FileDelivery {
  /** Where it delivers, for logs (no credentials). */
  readonly target: string;
  /** Resolves with any HTTP answer; rejects with PushError (connection, timeout, aborted) when there is none. */
  deliver(file: JobFile, signal?: AbortSignal): Promise<FileAnswer>;
  close(): void;
}
