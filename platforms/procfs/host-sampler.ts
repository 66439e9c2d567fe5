import * as fs from 'fs';
import * as path from 'path';
import { errnoCode, readErrorReason } from '../errno';
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

export class ProcfsHostSampler implements HostSampler {
  readonly fields = FIELDS;
  private lastCpu: Record<string, number> = {};

  constructor(
    private readonly root: string,
    private readonly sys: Sysconf,
    private readonly onError: SampleErrorSink,
  ) {}

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
    const psi = this.readOptional(path.join('pressure', 'memory'));
    if (psi !== undefined) {
      const p = parsePressure(psi);
      out.memoryPressureSomeSeconds = p.someSeconds;
      out.memoryPressureFullSeconds = p.fullSeconds;
    }
    return out;
  }

  /** A host file or undefined; a missing one is normal, anything else is reported. */
  private readOptional(rel: string): string | undefined {
    try {
      // These files can exceed a page and are few: a plain read is right here.
      return fs.readFileSync(path.join(this.root, rel), 'latin1');
    } catch (err) {
      const code = errnoCode(err);
      if (code && NOT_PROVIDED.has(code)) return undefined;
      this.onError(readErrorReason(code), `${rel}: ${(err as Error).message}`);
      return undefined;
    }
  }
}
