import { FamilySet } from './families';

/** Why a spool file was moved to failed/ (the `reason` label). */
export const SPOOL_FAIL_REASONS = ['invalid', 'too_large', 'bad_name', 'not_regular', 'rejected'] as const;
export type SpoolFailReason = (typeof SPOOL_FAIL_REASONS)[number];

/** The spool collector's families. One instance per process, carried over a reload: counters never restart. */
export class SpoolMetrics extends FamilySet {
  readonly pending = this.gauge(
    'hostpulse_spool_files_pending',
    'Spool files waiting: being written, settling, or not yet delivered.',
  );
  readonly oldestAge = this.gauge(
    'hostpulse_spool_oldest_pending_age_seconds',
    'Age (since its modification time) of the oldest pending spool file; 0 when none.',
  );
  readonly delivered = this.counter(
    'hostpulse_spool_files_delivered_total',
    'Spool files delivered (a 2xx answer) and deleted.',
  );
  readonly failed = this.counter('hostpulse_spool_files_failed_total', 'Spool files moved to failed/, by reason.', [
    'reason',
  ]);

  constructor() {
    super();
    for (const reason of SPOOL_FAIL_REASONS) this.failed.inc({ reason }, 0);
  }
}
