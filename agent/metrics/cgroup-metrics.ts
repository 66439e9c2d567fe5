import { FamilySet } from './families';

/**
 * Memory cgroups (the `cgroups` collector): usage against the limit, the
 * kernel's memory events and memory pressure, by cgroup named as
 * `--group-by cgroup` names it. Series are replaced whole every cycle.
 */
export class CgroupMetrics extends FamilySet {
  readonly usage = this.gauge(
    'hostpulse_cgroup_memory_usage_bytes',
    'Memory charged to the cgroup and its sub-cgroups (v2 memory.current, v1 memory.usage_in_bytes).',
    ['cgroup'],
  );
  readonly limit = this.gauge(
    'hostpulse_cgroup_memory_limit_bytes',
    'Hard memory limit of the cgroup (v2 memory.max, v1 memory.limit_in_bytes); no series when unlimited.',
    ['cgroup'],
  );
  readonly high = this.gauge(
    'hostpulse_cgroup_memory_high_bytes',
    'Memory throttle limit of the cgroup (v2 memory.high); no series when unlimited or on cgroup v1.',
    ['cgroup'],
  );
  readonly swap = this.gauge('hostpulse_cgroup_swap_usage_bytes', 'Swap used by the cgroup (v2 memory.swap.current).', [
    'cgroup',
  ]);
  readonly stat = this.gauge(
    'hostpulse_cgroup_memory_stat_bytes',
    'Memory of the cgroup by kind: anon (v2 anon, v1 total_rss) and file (v2 file, v1 total_cache).',
    ['cgroup', 'kind'],
  );
  readonly events = this.counter(
    'hostpulse_cgroup_memory_events_total',
    "Memory events of the cgroup (v2 memory.events: low, high, max, oom, oom_kill, oom_group_kill; v1: max = memory.failcnt, oom_kill); a removed sub-cgroup's counts stay with its parent.",
    ['cgroup', 'event'],
  );
  readonly underOom = this.gauge(
    'hostpulse_cgroup_memory_under_oom',
    'v1 memory.oom_control under_oom: 1 while the cgroup is at its limit with the OOM killer disabled for it.',
    ['cgroup'],
  );
  readonly pressure = this.counter(
    'hostpulse_cgroup_memory_pressure_stall_seconds_total',
    'Time tasks of the cgroup stalled on memory (v2 memory.pressure), kind=some (at least one) or full (all).',
    ['cgroup', 'kind'],
  );
}
