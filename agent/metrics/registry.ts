import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The metric contract of design.md, on a private Registry (never the global
 * one, so nothing else in the process leaks into a push). Names in base units.
 */
export class HostpulseMetrics {
  readonly registry = new Registry();
  /** Every metric below, in registration order: what renderExposition writes. */
  readonly families: Array<Gauge<string> | Counter<string>> = [];

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const g = new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
    this.families.push(g as Gauge<string>);
    return g;
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const c = new Counter<L>({ name, help, labelNames, registers: [this.registry] });
    this.families.push(c as Counter<string>);
    return c;
  }

  readonly processRss = this.gauge('hostpulse_process_resident_memory_bytes', 'Resident set size of a top process.', ['pid', 'comm']);
  readonly processVsz = this.gauge('hostpulse_process_virtual_memory_bytes', 'Virtual memory size of a top process.', ['pid', 'comm']);
  readonly processCpu = this.counter('hostpulse_process_cpu_seconds_total', 'CPU time of a top process by mode.', ['pid', 'comm', 'mode']);
  readonly processThreads = this.gauge('hostpulse_process_threads', 'Threads of a top process.', ['pid', 'comm']);
  readonly processStart = this.gauge('hostpulse_process_start_time_seconds', 'Start time of a top process, Unix seconds.', ['pid', 'comm']);

  readonly groupRss = this.gauge('hostpulse_group_resident_memory_bytes', 'Resident set size summed over the processes of a group.', ['group']);
  readonly groupCpu = this.counter('hostpulse_group_cpu_seconds_total', 'CPU time of the processes of a group by mode, including processes seen to exit.', ['group', 'mode']);
  readonly groupProcesses = this.gauge('hostpulse_group_processes', 'Processes in a group.', ['group']);

  readonly memTotal = this.gauge('hostpulse_host_memory_total_bytes', 'Usable physical memory (MemTotal).');
  readonly memAvailable = this.gauge('hostpulse_host_memory_available_bytes', 'Memory available for new work without swapping (MemAvailable).');
  readonly swapTotal = this.gauge('hostpulse_host_swap_total_bytes', 'Swap space in total.');
  readonly swapFree = this.gauge('hostpulse_host_swap_free_bytes', 'Swap space unused.');
  readonly hostCpu = this.counter('hostpulse_host_cpu_seconds_total', 'CPU time of all CPUs by mode.', ['mode']);
  readonly load1 = this.gauge('hostpulse_host_load1', '1-minute load average.');
  readonly load5 = this.gauge('hostpulse_host_load5', '5-minute load average.');
  readonly load15 = this.gauge('hostpulse_host_load15', '15-minute load average.');
  readonly oomKills = this.counter('hostpulse_host_oom_kills_total', 'Processes killed by the kernel OOM killer since boot.');
  readonly memoryPressure = this.counter(
    'hostpulse_host_memory_pressure_stall_seconds_total',
    'Time some (or all) non-idle tasks stalled on memory (PSI).',
    ['kind'],
  );
  readonly hostInfo = this.gauge('hostpulse_host_info', 'Constant 1, labelled with facts about the host and agent.', ['os', 'kernel', 'sampler', 'version']);

  readonly interval = this.gauge('hostpulse_agent_interval_seconds', 'Push interval of this agent; alerts use it to tell a late push.');
  readonly pushFailures = this.counter('hostpulse_agent_push_failures_total', 'Pushes that failed since the agent started.');
  readonly sampleDuration = this.gauge('hostpulse_agent_sample_duration_seconds', 'Wall time of the last sampling.', ['sampler']);
  readonly processes = this.gauge('hostpulse_agent_processes', 'Processes seen in the last sample, and how many got per-pid series.', ['state']);
  readonly sampleErrors = this.counter('hostpulse_agent_sample_errors_total', 'Problems skipped while sampling (a field or process dropped), by reason.', ['reason']);
}
