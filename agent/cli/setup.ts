import { buildAgentConfig, type AgentConfig } from '../config/agent-config';
import { COLLECTORS, type CollectorContext } from '../collectors/registry';
import { SampleProblems } from '../collectors/problems';
import { selectCollectors } from '../collectors/select';
import { readHostInfo } from '../host-info';
import { createLogger, type Logger } from '../log';
import { Cycle } from '../loop/cycle';
import { AgentMetrics } from '../metrics/agent-metrics';
import { GroupAccumulator } from '../metrics/group-accumulator';
import { RemoteWriteMetrics } from '../metrics/remote-write-metrics';
import { PushgatewaySink } from '../sink/pushgateway';
import { DiskQueue } from '../sink/remote-write/disk-queue';
import { MemoryQueue } from '../sink/remote-write/queue';
import { DEFAULT_BUFFER_MAX_BYTES } from '../config/remote-write-config';
import { RemoteWriteSink } from '../sink/remote-write/remote-write-sink';
import type { Sink } from '../sink/sink';
import type { FileDelivery } from '../sink/file-delivery';
import { PushgatewayFiles } from '../sink/pushgateway-files';
import { RemoteWriteFiles } from '../sink/remote-write/remote-write-files';
import { SpoolMetrics } from '../metrics/spool-metrics';
import { SpoolCollector } from '../collectors/spool';
import type { Spool } from '../spool/spool';
import { VERSION } from '../version';
import { UsageError } from '../errors';
import { choosePlatform } from '../../platforms/choose';
import type { SampleErrorSink, SamplerOptions } from '../../platforms/types';

/** What a reload carries over from the running agent: counters must not restart. */
export interface CarriedState {
  agent: AgentMetrics;
  groups: GroupAccumulator;
  /** The remote-write sink's counters (sent only while that sink runs). */
  remoteWrite: RemoteWriteMetrics;
  /** Unsent remote-write requests without --buffer-dir: a reload must not lose an outage's samples. */
  memoryQueue: MemoryQueue;
  /** The spool collector's counters. */
  spoolMetrics: SpoolMetrics;
}

export interface AgentParts extends CarriedState {
  config: AgentConfig;
  logger: Logger;
  samplerName: string;
  cycle: Cycle;
  /** With --spool-dir: the directory the spool collector looks at, and how its files are delivered (run starts that beside the cycle). */
  spool: { spool: Spool; delivery: FileDelivery } | undefined;
  /** Writes this configuration's facts (host_info, interval, which collectors run) into the live agent families. */
  activate(): void;
  /** Releases what the collectors keep open. */
  close(): void;
}

/** Longest a ps/top spawn may take: well inside the interval, never more than 5 s. */
const MAX_COMMAND_TIMEOUT_MS = 5000;

/**
 * Validates the options, picks the sampler, builds the collectors. Throws
 * UsageError / UnsupportedSamplerError before anything starts. Touches no
 * live metric (a reload that fails here leaves the running agent as it was):
 * `activate()` does, when the parts go live.
 */
export async function setUpAgent(argv: Record<string, unknown>, carried?: CarriedState): Promise<AgentParts> {
  const config = buildAgentConfig(argv, process.stderr.isTTY === true);
  const logger = createLogger(config.logLevel, config.logFormat);
  const { entry, probe } = await choosePlatform(config.procfsRoot, config.sampler);
  const agent = carried?.agent ?? new AgentMetrics();
  const groups = carried?.groups ?? new GroupAccumulator();
  const remoteWrite = carried?.remoteWrite ?? new RemoteWriteMetrics();
  const memoryQueue = carried?.memoryQueue ?? new MemoryQueue(config.remoteWrite?.bufferMaxBytes ?? DEFAULT_BUFFER_MAX_BYTES);
  const spoolMetrics = carried?.spoolMetrics ?? new SpoolMetrics();

  const samplerOptions = (onError: SampleErrorSink): SamplerOptions => ({
    procfsRoot: config.procfsRoot,
    commandTimeoutMs: Math.min(config.intervalMs, MAX_COMMAND_TIMEOUT_MS),
    onError,
  });
  // --- grouping needs per-process lookups only the procfs sampler has ---
  if (config.groupBy !== 'comm' && entry.createInspector === undefined) {
    throw new UsageError(`--group-by ${config.groupBy} needs the procfs sampler (the ${entry.name} sampler reads no /proc/<pid>/cgroup)`);
  }
  if (config.processDetail.length > 0 && entry.createInspector === undefined) {
    throw new UsageError(`--process-detail needs the procfs sampler (the ${entry.name} sampler reads no /proc/<pid>/smaps_rollup, io or fd)`);
  }
  const createInspector = entry.createInspector;
  const warned = new Set<string>();
  const ctx: CollectorContext = {
    config,
    processSampler: (onError) => entry.createProcess(samplerOptions(onError), probe),
    hostSampler: (onError) => entry.createHost(samplerOptions(onError), probe),
    inspector: createInspector && ((onError) => createInspector(samplerOptions(onError))),
    problems: () => new SampleProblems(agent, logger, warned),
    groups,
    spoolMetrics,
    logger,
  };
  const choices = COLLECTORS.map((c) => ({ name: c.name, unavailable: c.unavailable(ctx), optIn: c.optIn }));
  const names = selectCollectors(config.collectors, choices);
  // Said once, at start (a reload does not repeat it): the default set leaves these out. (A spool without
  // --spool-dir is not something missing here.)
  if (!carried) {
    for (const c of choices) if (c.unavailable !== undefined && c.optIn !== true && c.name !== 'spool') logger.info(`collector ${c.name} is not run: ${c.unavailable}`, { collector: c.name });
  }
  // A collector's own flags do nothing without it: say so rather than ignore them.
  for (const c of COLLECTORS) {
    const flags = names.includes(c.name) ? [] : c.flagsSet?.(config) ?? [];
    if (flags.length === 0) continue;
    const why = choices.find((x) => x.name === c.name)?.unavailable ?? `add it: --collectors=+${c.name}`;
    logger.warn(`${flags.join(', ')} set, but the ${c.name} collector does not run (${why}): it has no effect`, { collector: c.name });
  }
  const oomUnavailable = choices.find((c) => c.name === 'oom')?.unavailable;
  const oomEvents = names.includes('oom') ? 'kmsg' : oomUnavailable !== undefined ? 'unavailable' : 'off';
  const collectors = COLLECTORS.filter((c) => names.includes(c.name)).map((c) => c.create(ctx));
  const cycle = new Cycle(collectors, agent, logger, config.sink === 'remote-write' ? remoteWrite.families : []);
  const spoolCollector = collectors.find((c): c is SpoolCollector => c instanceof SpoolCollector);
  let spool: AgentParts['spool'];
  try {
    spool = spoolCollector && { spool: spoolCollector.spool, delivery: fileDeliveryFor(config) };
  } catch (err) {
    cycle.close();
    throw err;
  }
  const info = readHostInfo(entry.name === 'procfs' ? config.procfsRoot : undefined);

  return {
    config,
    logger,
    agent,
    groups,
    remoteWrite,
    memoryQueue,
    spoolMetrics,
    samplerName: entry.name,
    cycle,
    spool,
    activate() {
      agent.info.reset();
      agent.info.set({ os: info.os, kernel: info.kernel, sampler: entry.name, version: VERSION, oom_events: oomEvents, group_by: config.groupBy }, 1);
      agent.interval.set(config.intervalMs / 1000);
      if (config.remoteWrite) memoryQueue.maxBytes = config.remoteWrite.bufferMaxBytes;
      // A collector the new configuration dropped must not keep its last success value.
      agent.collectorSuccess.reset();
      agent.collectorDuration.reset();
      // Failure counters exist from the start at 0, so increase() sees the first failure.
      for (const c of collectors) agent.collectorFailures.inc({ collector: c.name }, 0);
    },
    close() {
      cycle.close();
      spool?.delivery.close();
    },
  };
}

/**
 * The one place a sink is chosen. `retry` false (for `once`): one attempt, no
 * back-off wait. Throws UsageError when --buffer-dir is another agent's.
 */
export function sinkFor(
  config: AgentConfig,
  parts: { remoteWrite: RemoteWriteMetrics; memoryQueue: MemoryQueue; logger: Logger },
  retry = true,
): Sink {
  const rw = config.remoteWrite;
  if (config.sink === 'remote-write' && rw !== undefined) {
    return new RemoteWriteSink({
      url: rw.url,
      job: config.job,
      instance: config.instance,
      timeoutMs: config.pushTimeoutMs,
      auth: rw.auth,
      tls: rw.tls,
      headers: rw.headers,
      queue: rw.bufferDir === undefined ? parts.memoryQueue : new DiskQueue(rw.bufferDir, rw.bufferMaxBytes),
      metrics: parts.remoteWrite,
      logger: parts.logger,
      retry,
    });
  }
  return new PushgatewaySink({
    url: config.pushgatewayUrl,
    job: config.job,
    instance: config.instance,
    timeoutMs: config.pushTimeoutMs,
    auth: config.auth,
    tls: config.tls,
  });
}

/**
 * The one place a spool file's delivery is chosen, beside sinkFor: through the
 * same backend, auth and TLS as the cycle's sink. Throws UsageError (exit 2 at
 * start, a rejected reload) for a sink that cannot take a batch job's file.
 */
export function fileDeliveryFor(config: AgentConfig): FileDelivery {
  switch (config.sink) {
    case 'remote-write': {
      const rw = config.remoteWrite;
      if (rw === undefined) throw new UsageError('--spool-dir with --sink remote-write needs --remote-write-url');
      return new RemoteWriteFiles({ url: rw.url, job: config.job, instance: config.instance, timeoutMs: config.pushTimeoutMs, auth: rw.auth, tls: rw.tls, headers: rw.headers });
    }
    case 'pushgateway':
      return new PushgatewayFiles({ url: config.pushgatewayUrl, job: config.job, instance: config.instance, timeoutMs: config.pushTimeoutMs, auth: config.auth, tls: config.tls });
    default: {
      const other: never = config.sink;
      throw new UsageError(`--spool-dir needs a pushgateway or remote-write sink: --sink ${String(other)} cannot take a batch job's file`);
    }
  }
}
