import type { Logger } from '../log';
import { FailureLog } from '../common/failure-log';
import { sleep } from '../common/sleep';
import type { FileDelivery } from '../sink/file-delivery';
import { PushError } from '../common/push-error';
import { retryable } from '../common/backoff';
import { Backoff, retryInOrder, type Attempt } from '../common/retry';
import type { ReadyFile, Spool } from './spool';

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
  await retryInOrder<ReadyFile>(
    {
      head: () => (stop.aborted ? undefined : spool.readyFiles()[0]),
      idle: async () => {
        if (stop.aborted) return false;
        await spool.waitReady(stop);
        return true;
      },
      wait: async (_file, ms) => {
        await sleep(ms, stop);
        return true;
      },
      attempt: async (file): Promise<Attempt> => {
        let answer;
        try {
          const content = spool.read(file);
          if (content === undefined) return { outcome: 'skipped' };
          answer = await delivery.deliver({ ...content, timestampMs: content.mtimeMs }, stop);
        } catch (err) {
          const e = err instanceof PushError ? err : new PushError((err as Error).message, 'unknown');
          if (e.kind === 'aborted' || stop.aborted) return { outcome: 'end' };
          log.failed(e.kind, `${file.name}: ${e.message} (kept; ${spool.readyFiles().length} files waiting)`);
          return { outcome: 'retry' };
        }
        try {
          if (answer.status >= 200 && answer.status < 300) {
            spool.delivered(file, delivery.target);
            log.succeeded();
            return { outcome: 'done' };
          }
          if (retryable(answer.status)) {
            log.failed(
              `http_${answer.status}`,
              `${file.name}: HTTP ${answer.status}: ${answer.body || '(empty body)'} (kept; ${spool.readyFiles().length} files waiting)`,
            );
            return { outcome: 'retry', retryAfterMs: answer.retryAfterMs };
          }
          spool.fail(
            file.name,
            'rejected',
            `refused by ${delivery.target}: HTTP ${answer.status}: ${answer.body || '(empty body)'}`,
          );
          return { outcome: 'skipped' };
        } catch (err) {
          // The directory itself failed us (EACCES, a full disk): said, and tried again after a back-off.
          log.failed('spool_io', `${file.name}: ${(err as Error).message}`);
          return { outcome: 'retry' };
        }
      },
    },
    new Backoff(),
  );
}
