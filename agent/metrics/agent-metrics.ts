import { FamilySet } from './families';

/**
 * The agent's own families. One instance lives as long as the process: a
 * reload (SIGHUP) keeps it, so counters never restart. Pushed every cycle,
 * whatever failed.
 */
export class AgentMetrics extends FamilySet {
  readonly info = this.gauge('hostpulse_host_info', 'Constant 1, labelled with facts about the host and agent.', [
    'os',
    'kernel',
    'sampler',
    'version',
    'oom_events',
    'group_by',
  ]);
  readonly interval = this.gauge(
    'hostpulse_agent_interval_seconds',
    'Push interval of this agent; alerts use it to tell a late push.',
  );
  readonly pushFailures = this.counter(
    'hostpulse_agent_push_failures_total',
    'Pushes that failed since the agent started.',
  );
  readonly sampleErrors = this.counter(
    'hostpulse_agent_sample_errors_total',
    'Problems skipped while sampling (a field or process dropped), by reason.',
    ['reason'],
  );
  readonly collectorSuccess = this.gauge(
    'hostpulse_agent_collector_success',
    'Whether a collector read its source completely in the last cycle (1) or not (0).',
    ['collector'],
  );
  readonly collectorDuration = this.gauge(
    'hostpulse_agent_collector_duration_seconds',
    'Wall time of a collector in the last cycle.',
    ['collector'],
  );
  readonly collectorFailures = this.counter(
    'hostpulse_agent_collector_failures_total',
    'Cycles in which a collector failed, since the agent started.',
    ['collector'],
  );
}
