import * as os from 'os';
import type { HostField, HostSample, HostSampler } from '../types';
import { cpuSecondsByMode } from './cpu-times';

/**
 * The host sampler where there is no /proc (macOS, the BSDs): memory and swap
 * from systeminformation, CPU times and load from `os`. No OOM-kill count and
 * no memory pressure: those are Linux facts, so the fields are not declared.
 */
export class SysinfoHostSampler implements HostSampler {
  readonly fields: ReadonlySet<HostField> = new Set(['memory', 'swap', 'cpu', 'load']);

  async sample(): Promise<HostSample> {
    // Loaded on first use: on Linux (procfs) the agent never pays its ~10 MB.
    const si = await import('systeminformation');
    const mem = await si.mem();
    const [load1, load5, load15] = os.loadavg();
    return {
      memoryTotalBytes: mem.total,
      memoryAvailableBytes: mem.available,
      swapTotalBytes: mem.swaptotal,
      swapFreeBytes: mem.swapfree,
      cpuSeconds: cpuSecondsByMode(os.cpus()),
      load1,
      load5,
      load15,
    };
  }
}
