import type { FileAnswer, FileDelivery, JobFile } from '../file-delivery';
import type { HttpSinkTarget } from '../sink';
import { BatchEncoder, type EncodableBatch } from './batch-encoder';
import { RemoteWritePoster } from './post';
import { snappyCompress } from './snappy';
import { redactUrl } from '../../config/redact-url';

/**
 * Spool files by remote write: one request per file, its samples with the
 * file's job, the agent's instance and the file's modification time, encoded
 * by the sink's own encoder. Not queued: the file is the buffer.
 */
export class RemoteWriteFiles implements FileDelivery {
  private readonly poster: RemoteWritePoster;

  constructor(private readonly opts: HttpSinkTarget & { headers: Readonly<Record<string, string>> }) {
    this.poster = new RemoteWritePoster(opts.url, opts.auth, opts.tls, opts.headers);
  }

  /** Printed (start line, failure logs): without a password the URL's userinfo may hold. */
  get target(): string {
    return redactUrl(this.opts.url);
  }

  deliver(file: JobFile, signal?: AbortSignal): Promise<FileAnswer> {
    const batch: EncodableBatch = {
      // Each sample as its own family: a histogram's x_bucket/x_sum/x_count keep their own names.
      families: file.samples.map((s) => ({ name: s.name, values: [{ labels: s.labels, value: s.value }] })),
      timestampMs: file.timestampMs,
    };
    const { body } = new BatchEncoder(file.job, this.opts.instance).encode(batch);
    return this.poster.post(snappyCompress(body), this.opts.timeoutMs, signal);
  }

  close(): void {
    this.poster.close();
  }
}
