/** The aggregate `cpu` line and `btime` of /proc/stat. */
export interface CpuStat {
  /** Ticks by mode, summed over all CPUs. */
  ticks?: Record<string, number>;
  /** Boot time, Unix seconds. */
  bootTime?: number;
}

// proc(5) order of the aggregate cpu line. guest/guest_nice are already
// included in user/nice, so they are left out to avoid counting them twice.
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];

export function parseCpuStat(text: string): CpuStat {
  const out: CpuStat = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const nums = line.slice(4).trim().split(/\s+/).map(Number);
      if (nums.length < 4 || nums.some((n) => !Number.isFinite(n))) continue;
      const ticks: Record<string, number> = {};
      MODES.forEach((mode, i) => {
        if (i < nums.length) ticks[mode] = nums[i];
      });
      out.ticks = ticks;
    } else if (line.startsWith('btime ')) {
      const n = Number(line.slice(6).trim());
      if (Number.isFinite(n)) out.bootTime = n;
    }
  }
  return out;
}
