import type { HostSample } from '../../platforms/types';
import { FamilySet, setCounter, setOrDrop } from './families';

/** Host-wide memory, CPU, load, OOM kills and memory pressure. */
export class HostMetrics extends FamilySet {
  readonly memTotal = this.gauge('hostpulse_host_memory_total_bytes', 'Usable physical memory (MemTotal).');
  readonly memAvailable = this.gauge(
    'hostpulse_host_memory_available_bytes',
    'Memory available for new work without swapping (MemAvailable).',
  );
  readonly swapTotal = this.gauge('hostpulse_host_swap_total_bytes', 'Swap space in total.');
  readonly swapFree = this.gauge('hostpulse_host_swap_free_bytes', 'Swap space unused.');
  readonly cpu = this.counter('hostpulse_host_cpu_seconds_total', 'CPU time of all CPUs by mode.', ['mode']);
  readonly load1 = this.gauge('hostpulse_host_load1', '1-minute load average.');
  readonly load5 = this.gauge('hostpulse_host_load5', '5-minute load average.');
  readonly load15 = this.gauge('hostpulse_host_load15', '15-minute load average.');
  readonly oomKills = this.counter(
    'hostpulse_host_oom_kills_total',
    'Processes killed by the kernel OOM killer since boot.',
  );
  readonly memoryPressure = this.counter(
    'hostpulse_host_memory_pressure_stall_seconds_total',
    'Time some (or all) non-idle tasks stalled on memory (PSI).',
    ['kind'],
  );

  /** Sample -> metric values; an absent field removes its series (never a zero). */
  write(h: HostSample): void {
    setOrDrop(this.memTotal, h.memoryTotalBytes);
    setOrDrop(this.memAvailable, h.memoryAvailableBytes);
    setOrDrop(this.swapTotal, h.swapTotalBytes);
    setOrDrop(this.swapFree, h.swapFreeBytes);
    setOrDrop(this.load1, h.load1);
    setOrDrop(this.load5, h.load5);
    setOrDrop(this.load15, h.load15);
    setCounter(this.oomKills, h.oomKills);

    this.cpu.reset();
    if (h.cpuSeconds) for (const [mode, v] of Object.entries(h.cpuSeconds)) this.cpu.inc({ mode }, v);
    this.memoryPressure.reset();
    if (h.memoryPressureSomeSeconds !== undefined)
      this.memoryPressure.inc({ kind: 'some' }, h.memoryPressureSomeSeconds);
    if (h.memoryPressureFullSeconds !== undefined)
      this.memoryPressure.inc({ kind: 'full' }, h.memoryPressureFullSeconds);
  }
}
