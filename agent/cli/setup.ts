import { buildAgentConfig, type AgentConfig } from '../config/agent-config';
import { COLLECTORS, type CollectorContext } from '../collectors/registry';
import { SampleProblems } from '../collectors/problems';
import { selectCollectors } from '../collectors/select';
import { readHostInfo } from '../host-info';
import { createLogger, type Logger } from '../log';
import { Cycle } from '../loop/cycle';
import { AgentMetrics } from '../metrics/agent-metrics';
import { GroupAccumulator } from '../grouping/group-accumulator';
import { SinkMetrics } from '../metrics/sink-metrics';
import { PushgatewaySink } from '../sink/pushgateway';
import { DiskQueue } from '../sink/buffer/disk-queue';
import { MemoryQueue, type RequestQueue } from '../sink/buffer/queue';
import { GraphiteSink } from '../sink/graphite/graphite-sink';
import { RemoteWriteSink } from '../sink/remote-write/remote-write-sink';
import { StatsdSink } from '../sink/statsd/statsd-sink';
import type { Sink } from '../sink/sink';
import type { ScrapeEndpoint } from '../sink/scrape/scrape-endpoint';
import type { FileDelivery } from '../sink/file-delivery';
import { PushgatewayFiles } from '../sink/pushgateway-files';
import { RemoteWriteFiles } from '../sink/remote-write/remote-write-files';
import { SpoolMetrics } from '../metrics/spool-metrics';
import { SpoolCollector } from '../collectors/spool';
import type { Spool } from '../spool/spool';
import type { SinkName } from '../config/sink-config';
import * as path from 'path';
import { VERSION } from '../version';
import { UsageError } from '../errors';
import { choosePlatform } from '../../platforms/choose';
import type { SampleErrorSink, SamplerOptions } from '../../platforms/types';
import type { Collector } from '../collectors/collector';
import { DiskQueues } from '../sink/buffer/disk-queues';
import { ensureBufferDir } from '../sink/buffer/buffer-dir';

/** What a reload carries over from the running agent: counters must not restart. */
export interface CarriedState {
  agent: AgentMetrics;
  groups: GroupAccumulator;
  /** The sinks' own counters (sent only while a sink other than the Pushgateway runs). */
  sinkMetrics: SinkMetrics;
  /** Unsent requests of the buffered sinks without --buffer-dir: a reload must not lose an outage's samples. */
  memoryQueues: Record<BufferedSinkName, MemoryQueue>;
  /** The spool collector's counters. */
  spoolMetrics: SpoolMetrics;
  /** The --buffer-dir queues: a reload's sinks share the running ones' directory instead of locking it twice. */
  diskQueues: DiskQueues;
  /** The running collectors: a reload's new ones take their counters and open sources over (OOM, connections). */
  collectors?: readonly Collector[];
}

type BufferedSinkName = Extract<SinkName, 'remote-write' | 'graphite'>;

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
  const sinkMetrics = carried?.sinkMetrics ?? new SinkMetrics();
  const memoryQueues = carried?.memoryQueues ?? {
    'remote-write': new MemoryQueue(config.buffer.maxBytes),
    graphite: new MemoryQueue(config.buffer.maxBytes),
  };
  const spoolMetrics = carried?.spoolMetrics ?? new SpoolMetrics();
  const diskQueues = carried?.diskQueues ?? new DiskQueues();

  const samplerOptions = (onError: SampleErrorSink): SamplerOptions => ({
    procfsRoot: config.procfsRoot,
    commandTimeoutMs: Math.min(config.intervalMs, MAX_COMMAND_TIMEOUT_MS),
    onError,
  });
  // --- grouping needs per-process lookups only the procfs sampler has ---
  if (config.groupBy !== 'comm' && entry.createInspector === undefined) {
    throw new UsageError(
      `--group-by ${config.groupBy} needs the procfs sampler (the ${entry.name} sampler reads no /proc/<pid>/cgroup)`,
    );
  }
  if (config.processDetail.length > 0 && entry.createInspector === undefined) {
    throw new UsageError(
      `--process-detail needs the procfs sampler (the ${entry.name} sampler reads no /proc/<pid>/smaps_rollup, io or fd)`,
    );
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
    previous: carried?.collectors ?? [],
    logger,
  };
  const choices = COLLECTORS.map((c) => ({ name: c.name, unavailable: c.unavailable(ctx), optIn: c.optIn }));
  const names = selectCollectors(config.collectors, choices);
  // Said once, at start (a reload does not repeat it): the default set leaves these out. (A spool without
  // --spool-dir is not something missing here.)
  if (!carried) {
    for (const c of choices)
      if (c.unavailable !== undefined && c.optIn !== true && c.name !== 'spool')
        logger.info(`collector ${c.name} is not run: ${c.unavailable}`, { collector: c.name });
  }
  // A collector's own flags do nothing without it: say so rather than ignore them.
  for (const c of COLLECTORS) {
    const flags = names.includes(c.name) ? [] : (c.flagsSet?.(config) ?? []);
    if (flags.length === 0) continue;
    const why = choices.find((x) => x.name === c.name)?.unavailable ?? `add it: --collectors=+${c.name}`;
    logger.warn(`${flags.join(', ')} set, but the ${c.name} collector does not run (${why}): it has no effect`, {
      collector: c.name,
    });
  }
  const oomUnavailable = choices.find((c) => c.name === 'oom')?.unavailable;
  const oomEvents = names.includes('oom') ? 'kmsg' : oomUnavailable !== undefined ? 'unavailable' : 'off';
  const collectors = COLLECTORS.filter((c) => names.includes(c.name)).map((c) => c.create(ctx));
  // The Pushgateway-only output stays as it always was; any other sink adds the sinks' own families
  // (the scrape sink has none worth serving: it cannot fail to deliver, and sends nothing).
  const plainOutput = config.sinks.every((s) => s === 'pushgateway' || s === 'scrape');
  const cycle = new Cycle(collectors, agent, logger, plainOutput ? [] : sinkMetrics.families);
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
    sinkMetrics,
    memoryQueues,
    spoolMetrics,
    diskQueues,
    collectors,
    samplerName: entry.name,
    cycle,
    spool,
    activate() {
      agent.info.reset();
      agent.info.set(
        {
          os: info.os,
          kernel: info.kernel,
          sampler: entry.name,
          version: VERSION,
          oom_events: oomEvents,
          group_by: config.groupBy,
        },
        1,
      );
      agent.interval.set(config.intervalMs / 1000);
      for (const q of Object.values(memoryQueues)) q.maxBytes = config.buffer.maxBytes;
      for (const name of config.sinks)
        sinkMetrics.declare(name, DROP_REASONS[name], name === 'remote-write' || name === 'graphite');
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

/** The reasons each sink may drop samples for: their counters exist from the start at 0. */
const DROP_REASONS: Record<SinkName, readonly string[]> = {
  pushgateway: [],
  'remote-write': ['rejected', 'buffer_full', 'corrupt'],
  graphite: ['buffer_full', 'corrupt'],
  statsd: ['send_failed', 'too_long'],
  scrape: [],
};

/**
 * The one place sinks are chosen: one per --sink, in the order given.
 * `retry` false (for `once`): one attempt, no back-off wait. Throws
 * UsageError when --buffer-dir is another agent's.
 */
export function sinksFor(
  config: AgentConfig,
  parts: {
    sinkMetrics: SinkMetrics;
    memoryQueues: Record<BufferedSinkName, MemoryQueue>;
    logger: Logger;
    /** The running agent's --buffer-dir queues (a reload shares them); without it each sink opens its own. */
    diskQueues?: DiskQueues;
  },
  retry = true,
  /** The running endpoint of --sink scrape (`run` starts it; `once` has none). */
  scrape?: ScrapeEndpoint,
): Sink[] {
  const built: Sink[] = [];
  const queue = (name: BufferedSinkName): RequestQueue => {
    const dir = config.buffer.dir;
    if (dir === undefined) return parts.memoryQueues[name];
    // Remote write keeps its files in the directory itself (as before graphite existed); graphite in a subdirectory.
    const [qdir, suffix] = name === 'remote-write' ? [dir, 'rw'] : [path.join(dir, name), 'txt'];
    ensureBufferDir(qdir);
    return parts.diskQueues
      ? parts.diskQueues.open(qdir, config.buffer.maxBytes, suffix)
      : new DiskQueue(qdir, config.buffer.maxBytes, suffix);
  };
  const common = { metrics: parts.sinkMetrics, logger: parts.logger };
  try {
    for (const name of config.sinks) built.push(sinkFor(name));
  } catch (err) {
    for (const s of built) s.close();
    throw err;
  }
  return built;

  function sinkFor(name: SinkName): Sink {
    const rw = config.remoteWrite;
    switch (name) {
      case 'remote-write':
        if (rw === undefined) throw new UsageError('--sink remote-write needs --remote-write-url');
        return new RemoteWriteSink({
          url: rw.url,
          job: config.job,
          instance: config.instance,
          timeoutMs: config.pushTimeoutMs,
          auth: rw.auth,
          tls: rw.tls,
          headers: rw.headers,
          queue: queue('remote-write'),
          ...common,
          retry,
        });
      case 'graphite':
        return new GraphiteSink({
          ...config.graphite,
          instance: config.instance,
          queue: queue('graphite'),
          ...common,
          retry,
        });
      case 'statsd':
        return new StatsdSink({ ...config.statsd, instance: config.instance, ...common });
      case 'scrape':
        if (scrape === undefined)
          throw new UsageError('--sink scrape serves the latest cycle while the agent runs: use `hostpulse run`');
        return scrape.sink();
      case 'pushgateway':
        return new PushgatewaySink({
          url: config.pushgatewayUrl,
          job: config.job,
          instance: config.instance,
          timeoutMs: config.pushTimeoutMs,
          auth: config.auth,
          tls: config.tls,
        });
    }
  }
}

/**
 * The one place a spool file's delivery is chosen, beside sinksFor: the first
 * --sink that can take a batch job's file (pushgateway or remote-write), with
 * that backend's auth and TLS. Throws UsageError (exit 2 at start, a rejected
 * reload) when no configured sink can.
 */
export function fileDeliveryFor(config: AgentConfig): FileDelivery {
  const name = config.sinks.find((s) => s === 'pushgateway' || s === 'remote-write');
  switch (name) {
    case 'remote-write': {
      const rw = config.remoteWrite;
      if (rw === undefined) throw new UsageError('--spool-dir with --sink remote-write needs --remote-write-url');
      return new RemoteWriteFiles({
        url: rw.url,
        job: config.job,
        instance: config.instance,
        timeoutMs: config.pushTimeoutMs,
        auth: rw.auth,
        tls: rw.tls,
        headers: rw.headers,
      });
    }
    case 'pushgateway':
      return new PushgatewayFiles({
        url: config.pushgatewayUrl,
        job: config.job,
        instance: config.instance,
        timeoutMs: config.pushTimeoutMs,
        auth: config.auth,
        tls: config.tls,
      });
    case undefined:
      throw new UsageError(
        `--spool-dir needs a pushgateway or remote-write sink: --sink ${config.sinks.join(',')} cannot take a batch job's file`,
      );
  }
}
