import type { CommandRunner } from './command/run-command';

/**
 * The contract between samplers and the agent. A sampler returns plain records;
 * it knows nothing of prom-client, sinks or the CLI.
 *
 * A field a sampler cannot measure is left undefined (absent), never zero, and
 * the sampler says so in `fields`: the agent emits no series for it.
 */

/** One process as seen in one sample. Sizes in bytes, times in seconds. */
export interface ProcessSample {
  pid: number;
  ppid: number;
  comm: string;
  rssBytes?: number;
  vszBytes?: number;
  cpuUserSeconds?: number;
  cpuSystemSeconds?: number;
  /** User + system CPU seconds, for samplers (ps, top) that print no split; absent when the split is known. */
  cpuTotalSeconds?: number;
  threads?: number;
  /** Unix time (seconds) the process started; with pid it identifies a process across pid reuse. */
  startTimeSeconds?: number;
}

/** `cpu`: user/system split; `cpuTotal`: only their sum. */
export type ProcessField = 'rss' | 'vsz' | 'cpu' | 'cpuTotal' | 'threads' | 'startTime';

/** Host-wide counters and gauges. Every field is optional for the same reason. */
export interface HostSample {
  memoryTotalBytes?: number;
  memoryAvailableBytes?: number;
  swapTotalBytes?: number;
  swapFreeBytes?: number;
  /** Cumulative CPU seconds of all CPUs by mode (user, nice, system, idle, iowait, irq, softirq, steal). */
  cpuSeconds?: Record<string, number>;
  load1?: number;
  load5?: number;
  load15?: number;
  /** Cumulative OOM kills since boot (/proc/vmstat oom_kill). */
  oomKills?: number;
  /** Cumulative seconds some / all tasks stalled on memory (PSI). */
  memoryPressureSomeSeconds?: number;
  memoryPressureFullSeconds?: number;
}

export type HostField = 'memory' | 'swap' | 'cpu' | 'load' | 'oomKills' | 'memoryPressure';

/**
 * Where a sampler reports a problem it skipped over (a malformed line, EACCES on
 * a file). `reason` is a short stable token that becomes a metric label value.
 * Vanished processes (ENOENT/ESRCH) are not problems and are not reported.
 */
export type SampleErrorSink = (reason: string, detail: string) => void;

export interface ProcessSampler {
  readonly name: string;
  readonly fields: ReadonlySet<ProcessField>;
  /** When `signal` aborts, a spawned ps/top is killed and this rejects with SampleAbortedError. */
  sample(signal?: AbortSignal): Promise<ProcessSample[]>;
  /** Releases what it keeps open between samples (procfs keeps stat files open); called when a reload replaces it. */
  close(): void;
}

export interface HostSampler {
  readonly fields: ReadonlySet<HostField>;
  /** Same contract as ProcessSampler.sample; samplers that spawn nothing may ignore `signal`. */
  sample(signal?: AbortSignal): Promise<HostSample>;
  /** Releases what it keeps open (the procfs sampler's files). */
  close?(): void;
}

export interface SamplerOptions {
  /** Root of the proc filesystem; tests point it at a fixture tree. */
  procfsRoot: string;
  /** Upper bound for one spawn of ps/top, milliseconds. */
  commandTimeoutMs: number;
  onError: SampleErrorSink;
  /** Runs the ps/top command; `runCommand` (a real spawn) when absent. Tests replay captured output. */
  runCommand?: CommandRunner;
}

// --- per-process lookups beyond the sample (group-by, process detail) ---
/** Where a process runs: the cgroup path chosen from /proc/<pid>/cgroup and a readable name for it. */
export interface ProcessCgroup {
  path: string;
  /** A systemd unit, `pod:<uid>`, `<runtime>:<container id>`, or `root`. */
  name: string;
}

/**
 * Reads what the per-process sample leaves out, one process at a time, only
 * when asked (new processes, exported ones). undefined when the process has
 * gone or the file could not be read (reported to the sampler's error sink
 * as `permission_denied` or `read_failed`; a vanished process is not a problem).
 */
export interface ProcessInspector {
  cgroup(pid: number): ProcessCgroup | undefined;
  realUid(pid: number): number | undefined;
  /** The command line, arguments joined by spaces: for matching only, never exported. */
  cmdline(pid: number): string | undefined;
  // --process-detail, for exported pids only; each undefined when unreadable (reported) or gone (not).
  /** PSS and USS from smaps_rollup; undefined also for kernel threads and zombies (no memory map). */
  memoryDetail(pid: number): { pssBytes: number; ussBytes: number } | undefined;
  /** read_bytes and write_bytes from io. */
  io(pid: number): { readBytes: number; writeBytes: number } | undefined;
  /** Entries of fd/. */
  openFds(pid: number): number | undefined;
  /** Soft "Max open files" from limits; undefined also when unlimited. */
  maxFds(pid: number): number | undefined;
}

/** --process-detail kinds: smaps_rollup (PSS, USS), io (bytes read and written), fds (open fds and their soft limit). */
export const DETAIL_KINDS = ['pss', 'io', 'fds'] as const;
export type DetailKind = (typeof DETAIL_KINDS)[number];

/** Per-process detail beyond the sample; a field that was not asked for or could not be read is absent. */
export interface ProcessDetail {
  /** Proportional set size: shared pages divided among their sharers (smaps_rollup Pss). */
  pssBytes?: number;
  /** Unique set size: pages no other process maps (Private_Clean + Private_Dirty + Private_Hugetlb). */
  ussBytes?: number;
  /** Bytes this process caused to be fetched from / sent to storage (/proc/<pid>/io read_bytes, write_bytes). */
  ioReadBytes?: number;
  ioWriteBytes?: number;
  /** Entries of /proc/<pid>/fd. */
  openFds?: number;
  /** Soft limit of open files (/proc/<pid>/limits "Max open files"); absent when unlimited. */
  maxFds?: number;
}
// --- end of per-process lookups ---
