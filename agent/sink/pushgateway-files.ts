import type { FileAnswer, FileDelivery, JobFile } from './file-delivery';
import { groupUrl } from './grouping-key';
import { HttpClient } from '../common/http-client';
import { pushBody } from './pushgateway';
import type { HttpSinkTarget } from './sink';
import { redactUrl } from '../config/redact-url';

/**
 * Spool files to the Pushgateway: PUT of the file's text to
 * /metrics/job/<job>/instance/<instance>, so the job's previous result is
 * replaced whole (and a repeated PUT after a crash changes nothing). Gzipped
 * like the cycle's own pushes.
 */
export class PushgatewayFiles implements FileDelivery {
  private readonly http: HttpClient;

  constructor(private readonly opts: HttpSinkTarget) {
    this.http = new HttpClient(opts.url, opts.auth, opts.tls, {
      'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
      'Content-Encoding': 'gzip',
    });
  }

  /** Printed (start line, failure logs): without a password the URL's userinfo may hold. */
  get target(): string {
    return redactUrl(this.opts.url);
  }

  async deliver(file: JobFile, signal?: AbortSignal): Promise<FileAnswer> {
    return this.http.request('PUT', pushBody(file.text), this.opts.timeoutMs, {
      signal,
      url: groupUrl(this.opts.url, file.job, this.opts.instance),
    });
  }

  close(): void {
    this.http.close();
  }
}
