import type * as os from 'os';

/**
 * Cumulative CPU seconds by mode, summed over all CPUs, from os.cpus() (which
 * reports milliseconds; on macOS and the BSDs this is the kernel's cp_time).
 */
export function cpuSecondsByMode(cpus: readonly os.CpuInfo[]): Record<string, number> {
  const total = { user: 0, nice: 0, system: 0, idle: 0, irq: 0 };
  for (const c of cpus) {
    total.user += c.times.user;
    total.nice += c.times.nice;
    total.system += c.times.sys;
    total.idle += c.times.idle;
    total.irq += c.times.irq;
  }
  const out: Record<string, number> = {};
  for (const [mode, ms] of Object.entries(total)) out[mode] = ms / 1000;
  return out;
}
