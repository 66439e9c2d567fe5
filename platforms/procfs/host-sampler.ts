import * as path from 'path';
import { errnoCode, readErrorReason } from '../errno';
import { KeptWholeFiles } from '../kept-whole-files';
import { parseCpuStat } from './cpu-stat';
import { parseLoadavg } from './loadavg';
import { parseMeminfo } from './meminfo';
import { parsePressure } from './pressure';
import type { Sysconf } from './sysconf';
import { parseOomKills } from './vmstat';
import type { HostField, HostSample, HostSampler, SampleErrorSink } from '../types';

const FIELDS: ReadonlySet<HostField> = new Set<HostField>([
  'memory',
  'swap',
  'cpu',
  'load',
  'oomKills',
  'memoryPressure',
]);

/** A kernel without PSI has no file (ENOENT) or refuses it (EOPNOTSUPP with psi=0): the field is simply absent. */
const NOT_PROVIDED = new Set(['ENOENT', 'EOPNOTSUPP']);
const PSI_MEMORY = path.join('pressure', 'memory');

export class ProcfsHostSampler implements HostSampler {
  readonly fields = FIELDS;
  private lastCpu: Record<string, number> = {};
  /** /proc/vmstat, the largest of these files, is ~5 KB on a common kernel. */
  private readonly files = new KeptWholeFiles(8192);
  /** Joined once, not per cycle. */
  private readonly paths: Record<string, string>;

  constructor(
    root: string,
    private readonly sys: Sysconf,
    private readonly onError: SampleErrorSink,
  ) {
    this.paths = {};
    for (const rel of ['meminfo', 'stat', 'loadavg', 'vmstat', PSI_MEMORY]) this.paths[rel] = path.join(root, rel);
  }

  async sample(): Promise<HostSample> {
    const out: HostSample = {};
    const mem = this.readOptional('meminfo');
    if (mem !== undefined) {
      const m = parseMeminfo(mem);
      out.memoryTotalBytes = m.memTotal;
      out.memoryAvailableBytes = m.memAvailable;
      out.swapTotalBytes = m.swapTotal;
      out.swapFreeBytes = m.swapFree;
    }
    const stat = this.readOptional('stat');
    if (stat !== undefined) {
      const ticks = parseCpuStat(stat).ticks;
      if (ticks) {
        const seconds: Record<string, number> = {};
        for (const [mode, t] of Object.entries(ticks)) {
          // iowait (and, on some hypervisors, steal) can read lower than before (proc(5));
          // a counter must not go back, so hold the highest value seen.
          seconds[mode] = Math.max(t / this.sys.clockTicks, this.lastCpu[mode] ?? 0);
        }
        this.lastCpu = seconds;
        out.cpuSeconds = seconds;
      } else {
        this.onError('malformed_stat', 'stat: no aggregate cpu line');
      }
    }
    const load = this.readOptional('loadavg');
    if (load !== undefined) {
      const l = parseLoadavg(load);
      if (l) Object.assign(out, l);
      else this.onError('malformed_loadavg', `loadavg: ${load.slice(0, 80)}`);
    }
    const vmstat = this.readOptional('vmstat');
    if (vmstat !== undefined) out.oomKills = parseOomKills(vmstat);
    const psi = this.readOptional(PSI_MEMORY);
    if (psi !== undefined) {
      const p = parsePressure(psi);
      out.memoryPressureSomeSeconds = p.someSeconds;
      out.memoryPressureFullSeconds = p.fullSeconds;
    }
    return out;
  }

  close(): void {
    this.files.close();
  }

  /** A host file or undefined; a missing one is normal, anything else is reported. */
  private readOptional(rel: string): string | undefined {
    try {
      return this.files.read(this.paths[rel]);
    } catch (err) {
      const code = errnoCode(err);
      if (code && NOT_PROVIDED.has(code)) return undefined;
      this.onError(readErrorReason(code), `${rel}: ${(err as Error).message}`);
      return undefined;
    }
  }
}
