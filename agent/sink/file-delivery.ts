/**
 * One sample of a job file, as remote write sends it. Declared here, by the
 * sink that consumes it, so the sink does not know the spool: the spool's
 * checked samples (SpoolSample) have this shape and the compiler holds them to it.
 */
export interface JobSample {
  /** The name as written (`x_bucket`, `x_sum` for histograms and summaries). */
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One batch job's result as the spool delivers it. */
export interface JobFile {
  job: string;
  /** The file's exposition text, as written (the Pushgateway's body). */
  text: string;
  /** Its samples (remote write). */
  samples: readonly JobSample[];
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
