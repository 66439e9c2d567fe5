import { FamilySet } from './families';

/**
 * The sinks' own families, one series per sink (label `sink`): sent only when
 * a sink other than the Pushgateway runs (the Pushgateway-only output stays
 * as it was). One instance per process, kept across reloads like
 * AgentMetrics, so counters never restart.
 */
export class SinkMetrics extends FamilySet {
  readonly failures = this.counter(
    'hostpulse_agent_sink_failures_total',
    'Deliveries of a cycle that failed, by sink (hostpulse_agent_push_failures_total counts them over all sinks).',
    ['sink'],
  );
  readonly samplesSent = this.counter(
    'hostpulse_agent_samples_sent_total',
    'Samples a sink delivered (remote write: accepted; graphite: written to the socket; statsd: sent as datagrams).',
    ['sink'],
  );
  readonly samplesDropped = this.counter(
    'hostpulse_agent_samples_dropped_total',
    'Samples given up: rejected (a 4xx other than 429), buffer_full (oldest dropped), corrupt (a --buffer-dir file unreadable or failing its checksum), send_failed (a statsd datagram the kernel refused).',
    ['sink', 'reason'],
  );
  readonly sendRetries = this.counter(
    'hostpulse_agent_send_retries_total',
    'Buffered deliveries sent again after a failure (5xx, 429, network error).',
    ['sink'],
  );
  readonly bufferBytes = this.gauge(
    'hostpulse_agent_buffer_bytes',
    "Bytes of unsent requests waiting in a sink's buffer.",
    ['sink'],
  );
  readonly bufferOldestAge = this.gauge(
    'hostpulse_agent_buffer_oldest_sample_age_seconds',
    "Age of the oldest unsent sample in a sink's buffer (0 when it is empty).",
    ['sink'],
  );

  /** Counters exist from the start at 0 for each running sink, so increase() sees the first one. */
  declare(sink: string, dropReasons: readonly string[], buffered: boolean): void {
    this.failures.inc({ sink }, 0);
    this.samplesSent.inc({ sink }, 0);
    for (const reason of dropReasons) this.samplesDropped.inc({ sink, reason }, 0);
    if (!buffered) return;
    this.sendRetries.inc({ sink }, 0);
    // inc(0): a series the running buffer already set keeps its value across a reload.
    this.bufferBytes.inc({ sink }, 0);
    this.bufferOldestAge.inc({ sink }, 0);
  }
}
