import type { Logger } from '../log';

/**
 * Logs a repeating failure once per change of state, not once per cycle: a
 * fleet whose gateway is down for an hour must not flood the journal. Every
 * failure is still counted in a metric by the caller and logged at debug.
 */
export class FailureLog {
  private failingKind: string | undefined;
  private failures = 0;

  constructor(
    private readonly logger: Logger,
    /** What fails, as a log message prefix: "push", "sampling". */
    private readonly what: string,
    private readonly meta: Record<string, string> = {},
  ) {}

  succeeded(): void {
    if (this.failingKind !== undefined) {
      this.logger.info(`${this.what} recovered`, { ...this.meta, failures: this.failures });
    }
    this.failingKind = undefined;
    this.failures = 0;
  }

  /** `kind` is a short stable token: a new kind is a new state and is logged again. */
  failed(kind: string, message: string): void {
    this.failures++;
    if (this.failingKind !== kind) {
      this.logger.warn(`${this.what} failed: ${message}`, { ...this.meta, reason: kind });
      this.failingKind = kind;
    } else {
      this.logger.debug(`${this.what} failed again: ${message}`, {
        ...this.meta,
        reason: kind,
        failures: this.failures,
      });
    }
  }
}
