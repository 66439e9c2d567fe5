import { FamilySet } from './families';

/**
 * The remote-write sink's own families: sent only when that sink runs (the
 * Pushgateway path's output stays as it was). One instance per process, kept
 * across reloads like AgentMetrics, so counters never restart.
 */
export class RemoteWriteMetrics extends FamilySet {
  readonly samplesSent = this.counter('hostpulse_agent_samples_sent_total', 'Samples a remote-write receiver accepted.');
  readonly samplesDropped = this.counter('hostpulse_agent_samples_dropped_total', 'Samples given up: rejected (a 4xx other than 429) or buffer_full (oldest dropped).', ['reason']);
  readonly sendRetries = this.counter('hostpulse_agent_send_retries_total', 'Remote-write requests sent again after a 5xx, 429 or network error.');
  readonly bufferBytes = this.gauge('hostpulse_agent_buffer_bytes', 'Bytes of unsent requests waiting in the buffer.');
  readonly bufferOldestAge = this.gauge('hostpulse_agent_buffer_oldest_sample_age_seconds', 'Age of the oldest unsent sample (0 when the buffer is empty).');

  constructor() {
    super();
    // Counters exist from the start at 0, so increase() sees the first one.
    this.samplesDropped.inc({ reason: 'rejected' }, 0);
    this.samplesDropped.inc({ reason: 'buffer_full' }, 0);
  }
}
