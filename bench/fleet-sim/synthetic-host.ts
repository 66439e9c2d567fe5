import type {
  HostField,
  HostSample,
  HostSampler,
  ProcessField,
  ProcessSample,
  ProcessSampler,
} from '../../platforms/types';

/** A small seeded PRNG (mulberry32): the same seed gives the same host, so a test can rely on its shape. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticHostOptions {
  seed: number;
  /** Distinct process names: each becomes one group (the agent's default budget is 100). */
  groups: number;
  /** Processes in all (at least one per group; the rest are workers of the first groups). */
  processes: number;
  /** Expected OOM kills per host per hour (the fleet question: 1% of hosts an hour is 0.01). */
  oomPerHour: number;
  /** The clock the counters move with, Unix ms (the simulator's wall clock; tests step it). */
  now?: () => number;
}

interface SimProcess extends Required<Omit<ProcessSample, 'cpuTotalSeconds'>> {
  /** Share of one CPU it burns. */
  load: number;
}

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const PROCESS_FIELDS: ReadonlySet<ProcessField> = new Set(['rss', 'vsz', 'cpu', 'threads', 'startTime']);
const HOST_FIELDS: ReadonlySet<HostField> = new Set(['memory', 'swap', 'cpu', 'load', 'oomKills', 'memoryPressure']);
const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
const CORES = 8;
/** Each sample, a process is replaced by a new one (new pid, start time) with this chance: short-lived workers. */
const CHURN = 0.01;

/**
 * One simulated server, as the agent's samplers would report it: a process
 * table of `groups` names and `processes` processes whose RSS wanders and CPU
 * counters grow, a little pid churn, and now and then an OOM kill (the largest
 * process dies and restarts). It is both samplers, so the real collectors,
 * mapping and rendering run on it unchanged.
 */
export class SyntheticHost {
  readonly processSampler: ProcessSampler;
  readonly hostSampler: HostSampler;
  readonly table: SimProcess[] = [];
  oomKills = 0;
  private readonly random: () => number;
  private readonly now: () => number;
  private nextPid = 300;
  private lastMs: number;
  private readonly cpu: Record<string, number> = {};
  private pressure = 0;

  constructor(private readonly opts: SyntheticHostOptions) {
    this.random = seededRandom(opts.seed);
    this.now = opts.now ?? Date.now;
    this.lastMs = this.now();
    for (const m of CPU_MODES) this.cpu[m] = 1e5 * this.random();
    const names = Array.from({ length: opts.groups }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < Math.max(opts.processes, opts.groups); i++) {
      // The first groups take the workers (a web server's, a database's), the rest one process each.
      const name = i < opts.groups ? names[i] : names[Math.floor(this.random() * Math.min(10, opts.groups))];
      this.table.push(this.spawn(name));
    }
    this.processSampler = {
      name: 'synthetic',
      fields: PROCESS_FIELDS,
      sample: async () => this.step(),
      close: () => undefined,
    };
    this.hostSampler = { fields: HOST_FIELDS, sample: async () => this.hostSample() };
  }

  private spawn(comm: string): SimProcess {
    const r = this.random();
    // RSS from 2 MiB to ~2 GiB, most of them small, as on a real server.
    const rssBytes = Math.round(2 * MIB * Math.exp(r * r * 7));
    return {
      pid: this.nextPid++,
      ppid: 1,
      comm,
      rssBytes,
      vszBytes: rssBytes * 3,
      cpuUserSeconds: 0,
      cpuSystemSeconds: 0,
      threads: 1 + Math.floor(this.random() * 16),
      startTimeSeconds: Math.floor(this.now() / 1000),
      load: this.random() < 0.1 ? this.random() * 0.5 : this.random() * 0.01,
    };
  }

  /** Advances the host to now and returns its process table (copies: the collector may keep them). */
  step(): ProcessSample[] {
    const now = this.now();
    const dt = Math.max(0, (now - this.lastMs) / 1000);
    this.lastMs = now;
    let busy = 0;
    for (let i = 0; i < this.table.length; i++) {
      let p = this.table[i];
      if (this.random() < CHURN) p = this.table[i] = this.spawn(p.comm);
      p.rssBytes = Math.max(MIB, Math.round(p.rssBytes * (0.98 + this.random() * 0.04)));
      p.vszBytes = Math.max(p.vszBytes, p.rssBytes * 3);
      const used = p.load * dt * (0.5 + this.random());
      p.cpuUserSeconds += used * 0.8;
      p.cpuSystemSeconds += used * 0.2;
      busy += used;
    }
    // 1% of hosts an hour: the chance of a kill in this step is rate * dt.
    if (this.random() < (this.opts.oomPerHour * dt) / 3600) this.oomKill();
    this.cpu.user += busy * 0.8;
    this.cpu.system += busy * 0.2;
    this.cpu.idle += Math.max(0, CORES * dt - busy);
    this.cpu.iowait += dt * 0.01 * this.random();
    this.pressure += dt * 0.001 * this.random();
    return this.table.map(({ load: _load, ...p }) => ({ ...p }));
  }

  /** The largest process is killed and comes back as a new one. */
  oomKill(): void {
    let largest = 0;
    for (let i = 1; i < this.table.length; i++) if (this.table[i].rssBytes > this.table[largest].rssBytes) largest = i;
    this.table[largest] = this.spawn(this.table[largest].comm);
    this.oomKills++;
  }

  private hostSample(): HostSample {
    const used = this.table.reduce((n, p) => n + p.rssBytes, 0);
    const total = 64 * GIB;
    const busy = this.table.reduce((n, p) => n + p.load, 0);
    return {
      memoryTotalBytes: total,
      memoryAvailableBytes: Math.max(0, total - used),
      swapTotalBytes: 4 * GIB,
      swapFreeBytes: 4 * GIB - 100 * MIB * this.random(),
      cpuSeconds: { ...this.cpu },
      load1: busy * (0.9 + 0.2 * this.random()),
      load5: busy,
      load15: busy,
      oomKills: this.oomKills,
      memoryPressureSomeSeconds: this.pressure,
      memoryPressureFullSeconds: this.pressure / 4,
    };
  }
}
