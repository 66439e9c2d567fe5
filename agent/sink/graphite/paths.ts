import type { FamilySnapshot } from '../../metrics/exposition';

/*
 * Metric families to Graphite paths, for the graphite and statsd sinks:
 * `<prefix>.<host>.` then the family's template, `{label}` standing for that
 * label's value as one sanitised path element. Per-pid series follow the
 * classic convention `<host>.<comm>.<pid>.rss`. A family not in the table
 * (one added later) still goes out: `<section>.<rest of the name>` without
 * `hostpulse_`, `_total` and `_bytes`, then its label values in label-name
 * order. The table in docs/sinks.md is checked against this one by a test.
 */

/** null: not sent (its labels are text facts; Graphite has nowhere to put them). */
export const GRAPHITE_PATHS: Readonly<Record<string, string | null>> = {
  hostpulse_process_resident_memory_bytes: '{comm}.{pid}.rss',
  hostpulse_process_virtual_memory_bytes: '{comm}.{pid}.vsz',
  hostpulse_process_cpu_seconds_total: '{comm}.{pid}.cpu_seconds.{mode}',
  hostpulse_process_threads: '{comm}.{pid}.threads',
  hostpulse_process_start_time_seconds: '{comm}.{pid}.start_time_seconds',
  hostpulse_process_proportional_memory_bytes: '{comm}.{pid}.pss',
  hostpulse_process_unique_memory_bytes: '{comm}.{pid}.uss',
  hostpulse_process_io_read_bytes_total: '{comm}.{pid}.io_read_bytes',
  hostpulse_process_io_write_bytes_total: '{comm}.{pid}.io_write_bytes',
  hostpulse_process_open_fds: '{comm}.{pid}.open_fds',
  hostpulse_process_max_fds: '{comm}.{pid}.max_fds',
  hostpulse_group_resident_memory_bytes: 'groups.{group}.rss',
  hostpulse_group_cpu_seconds_total: 'groups.{group}.cpu_seconds.{mode}',
  hostpulse_group_processes: 'groups.{group}.processes',
  hostpulse_host_memory_total_bytes: 'host.memory_total',
  hostpulse_host_memory_available_bytes: 'host.memory_available',
  hostpulse_host_swap_total_bytes: 'host.swap_total',
  hostpulse_host_swap_free_bytes: 'host.swap_free',
  hostpulse_host_cpu_seconds_total: 'host.cpu_seconds.{mode}',
  hostpulse_host_load1: 'host.load1',
  hostpulse_host_load5: 'host.load5',
  hostpulse_host_load15: 'host.load15',
  hostpulse_host_oom_kills_total: 'host.oom_kills',
  hostpulse_host_memory_pressure_stall_seconds_total: 'host.memory_pressure_stall_seconds.{kind}',
  hostpulse_host_info: null,
  hostpulse_oom_kills_total: 'oom.kills.{comm}.{constraint}',
  hostpulse_oom_victim_resident_memory_bytes: 'oom.victim_rss.{comm}',
  hostpulse_oom_kernel_log_records_lost_total: 'oom.kernel_log_records_lost',
  hostpulse_oom_command_runs_total: 'oom.command_runs.{result}',
  hostpulse_oom_command_dropped_total: 'oom.command_dropped',
  hostpulse_tcp_connections: 'tcp.connections.{state}',
  hostpulse_tcp_new_connections_total: 'tcp.new_connections.{direction}',
  hostpulse_tcp_port_scans_total: 'tcp.port_scans',
  hostpulse_tcp_blocked_sources: 'tcp.blocked_sources',
  hostpulse_tcp_conntrack_restarts_total: 'tcp.conntrack_restarts',
  hostpulse_agent_interval_seconds: 'agent.interval_seconds',
  hostpulse_agent_push_failures_total: 'agent.push_failures',
  hostpulse_agent_sink_failures_total: 'agent.sink_failures.{sink}',
  hostpulse_agent_processes: 'agent.processes.{state}',
  hostpulse_agent_groups_folded: 'agent.groups_folded',
  hostpulse_agent_sample_duration_seconds: 'agent.sample_duration_seconds.{sampler}',
  hostpulse_agent_sample_errors_total: 'agent.sample_errors.{reason}',
  hostpulse_agent_collector_success: 'agent.collector_success.{collector}',
  hostpulse_agent_collector_duration_seconds: 'agent.collector_duration_seconds.{collector}',
  hostpulse_agent_collector_failures_total: 'agent.collector_failures.{collector}',
  hostpulse_agent_samples_sent_total: 'agent.samples_sent.{sink}',
  hostpulse_agent_samples_dropped_total: 'agent.samples_dropped.{sink}.{reason}',
  hostpulse_agent_send_retries_total: 'agent.send_retries.{sink}',
  hostpulse_agent_buffer_bytes: 'agent.buffer_bytes.{sink}',
  hostpulse_agent_buffer_oldest_sample_age_seconds: 'agent.buffer_oldest_sample_age_seconds.{sink}',
  hostpulse_cgroup_memory_usage_bytes: 'cgroups.{cgroup}.memory_usage',
  hostpulse_cgroup_memory_limit_bytes: 'cgroups.{cgroup}.memory_limit',
  hostpulse_cgroup_memory_high_bytes: 'cgroups.{cgroup}.memory_high',
  hostpulse_cgroup_swap_usage_bytes: 'cgroups.{cgroup}.swap_usage',
  hostpulse_cgroup_memory_stat_bytes: 'cgroups.{cgroup}.memory.{kind}',
  hostpulse_cgroup_memory_events_total: 'cgroups.{cgroup}.memory_events.{event}',
  hostpulse_cgroup_memory_under_oom: 'cgroups.{cgroup}.memory_under_oom',
  hostpulse_cgroup_memory_pressure_stall_seconds_total: 'cgroups.{cgroup}.memory_pressure_stall_seconds.{kind}',
  hostpulse_spool_files_pending: 'spool.files_pending',
  hostpulse_spool_oldest_pending_age_seconds: 'spool.oldest_pending_age_seconds',
  hostpulse_spool_files_delivered_total: 'spool.files_delivered',
  hostpulse_spool_files_failed_total: 'spool.files_failed.{reason}',
};

/** The fallback for a family the table does not list: `hostpulse_spool_files_pending{queue}` would be `spool.files_pending.{queue}`. */
export function defaultTemplate(family: string, labelNames: readonly string[]): string {
  let rest = family.replace(/^hostpulse_/, '').replace(/_total$/, '');
  // `_bytes` goes only where a name is left after the section (hostpulse_spool_bytes stays spool.bytes).
  if (/_.+_bytes$/.test(rest)) rest = rest.replace(/_bytes$/, '');
  const cut = rest.indexOf('_');
  const base = cut < 0 ? rest : `${rest.slice(0, cut)}.${rest.slice(cut + 1)}`;
  return [base, ...[...labelNames].sort().map((l) => `{${l}}`)].join('.');
}

const A = 0x41;
const Z = 0x5a;
const a = 0x61;
const z = 0x7a;
const ZERO = 0x30;
const NINE = 0x39;
const UNDERSCORE = 0x5f;
const DASH = 0x2d;

function plain(c: number): boolean {
  return (c >= a && c <= z) || (c >= A && c <= Z) || (c >= ZERO && c <= NINE) || c === UNDERSCORE || c === DASH;
}

/**
 * One Graphite path element: every character but ASCII letters, digits, `_`
 * and `-` becomes `_` (a dot would split the element, a space or newline
 * would end the plaintext line, `:` and `|` would break a statsd line, `*`,
 * `?`, `[`, `{` are Graphite's globs); an empty element becomes `_`.
 */
export function sanitizeElement(s: string): string {
  if (s === '') return '_';
  let i = 0;
  while (i < s.length && plain(s.charCodeAt(i))) i++;
  if (i === s.length) return s;
  let out = s.slice(0, i);
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (plain(c)) out += s[i];
    else {
      out += '_';
      // One `_` per character, not per UTF-16 half of an emoji.
      if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    }
  }
  return out;
}

type Labels = Readonly<Record<string, string | number | undefined>>;
/** A compiled template: the path after `<prefix>.<host>.` for one sample's labels. */
type PathOf = (labels: Labels) => string;

/**
 * Renders paths fast enough for 1000 per-pid series a cycle: templates are
 * compiled once per family, and sanitised label values are cached (comms
 * repeat every cycle; the cache is cleared when it grows past a bound, so
 * pid churn cannot grow it forever).
 */
export class GraphitePaths {
  /** `<prefix>.<host>.` */
  readonly root: string;
  private readonly compiled = new Map<string, PathOf | null>();
  private readonly elements = new Map<string, string>();

  constructor(prefix: readonly string[], host: string) {
    this.root = [...prefix, sanitizeElement(host)].join('.') + '.';
  }

  /** Calls `emit(path, value)` for every finite value of every family that has a path. */
  forEach(families: readonly FamilySnapshot[], emit: (path: string, value: number) => void): void {
    for (const family of families) {
      const pathOf = this.pathOf(family);
      if (pathOf === null) continue;
      const values = family.values;
      for (let i = 0; i < values.length; i++) {
        const v = values[i].value;
        // Graphite stores no NaN or infinity.
        if (!Number.isFinite(v)) continue;
        emit(this.root + pathOf(values[i].labels), v);
      }
    }
  }

  /** The full path of one sample (tests, the table in docs/sinks.md). */
  path(family: string, labels: Labels): string | null {
    const pathOf = this.compile(
      GRAPHITE_PATHS[family] ?? (family in GRAPHITE_PATHS ? null : defaultTemplate(family, Object.keys(labels))),
    );
    return pathOf === null ? null : this.root + pathOf(labels);
  }

  private pathOf(family: FamilySnapshot): PathOf | null {
    const known = this.compiled.get(family.name);
    if (known !== undefined) return known;
    let template = GRAPHITE_PATHS[family.name];
    if (template === undefined) template = defaultTemplate(family.name, Object.keys(family.values[0]?.labels ?? {}));
    const pathOf = this.compile(template);
    this.compiled.set(family.name, pathOf);
    return pathOf;
  }

  private compile(template: string | null): PathOf | null {
    if (template === null) return null;
    // Literal text and label names alternate: ['', 'comm', '.', 'pid', '.rss'].
    const parts = template.split(/\{([a-z_]+)\}/);
    if (parts.length === 1) return () => template;
    const element = (v: string | number | undefined): string => this.element(v === undefined ? '' : String(v));
    if (parts.length === 3) {
      const [pre, l, post] = parts;
      return (labels) => pre + element(labels[l]) + post;
    }
    if (parts.length === 5) {
      const [pre, l1, mid, l2, post] = parts;
      return (labels) => pre + element(labels[l1]) + mid + element(labels[l2]) + post;
    }
    return (labels) => {
      let out = parts[0];
      for (let i = 1; i < parts.length; i += 2) out += element(labels[parts[i]]) + parts[i + 1];
      return out;
    };
  }

  private element(v: string): string {
    const hit = this.elements.get(v);
    if (hit !== undefined) return hit;
    const clean = sanitizeElement(v);
    if (this.elements.size >= MAX_CACHED) this.elements.clear();
    this.elements.set(v, clean);
    return clean;
  }
}

const MAX_CACHED = 20_000;
