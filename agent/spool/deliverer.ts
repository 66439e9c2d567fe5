import type { Logger } from '../log';
import { FailureLog } from '../common/failure-log';
import { sleep } from '../common/sleep';
import type { FileDelivery } from '../sink/file-delivery';
import { PushError } from '../common/push-error';
import { retryable, retryDelayMs } from '../sink/buffer/backoff';
import type { Spool } from './spool';

/**
 * Delivers the spool's ready files, oldest first, beside the cycle: it has
 * its own timing, so a slow or absent backend never delays collection. A file
 * is deleted only after a 2xx; 5xx, 429 and network errors keep it and every
 * later one (order is kept) and wait a back-off (500 ms doubling to 30 s, or
 * Retry-After); any other 4xx moves it to failed/ with the answer. Ends when
 * `stop` aborts; a delivery in flight then is aborted and its file stays, to
 * be delivered again (a PUT is idempotent).
 */
export async function runSpoolDelivery(
  spool: Spool,
  delivery: FileDelivery,
  logger: Logger,
  stop: AbortSignal,
): Promise<void> {
  const log = new FailureLog(logger, 'spool delivery', { url: delivery.target });
  let attempt = 0;
  let notBefore = 0;
  while (!stop.aborted) {
    const file = spool.readyFiles()[0];
    if (file === undefined) {
      await spool.waitReady(stop);
      continue;
    }
    const wait = notBefore - performance.now();
    if (wait > 0) {
      await sleep(wait, stop);
      continue;
    }
    let answer;
    try {
      const content = spool.read(file);
      if (content === undefined) continue;
      answer = await delivery.deliver({ ...content, timestampMs: content.mtimeMs }, stop);
    } catch (err) {
      const e = err instanceof PushError ? err : new PushError((err as Error).message, 'unknown');
      if (e.kind === 'aborted' || stop.aborted) return;
      notBefore = performance.now() + retryDelayMs(++attempt, undefined);
      log.failed(e.kind, `${file.name}: ${e.message} (kept; ${spool.readyFiles().length} files waiting)`);
      continue;
    }
    try {
      if (answer.status >= 200 && answer.status < 300) {
        spool.delivered(file, delivery.target);
        log.succeeded();
        attempt = 0;
        notBefore = 0;
      } else if (retryable(answer.status)) {
        notBefore = performance.now() + retryDelayMs(++attempt, answer.retryAfterMs);
        log.failed(
          `http_${answer.status}`,
          `${file.name}: HTTP ${answer.status}: ${answer.body || '(empty body)'} (kept; ${spool.readyFiles().length} files waiting)`,
        );
      } else {
        spool.fail(
          file.name,
          'rejected',
          `refused by ${delivery.target}: HTTP ${answer.status}: ${answer.body || '(empty body)'}`,
        );
      }
    } catch (err) {
      // The directory itself failed us (EACCES, a full disk): said, and tried again after a back-off.
      notBefore = performance.now() + retryDelayMs(++attempt, undefined);
      log.failed('spool_io', `${file.name}: ${(err as Error).message}`);
    }
  }
}
