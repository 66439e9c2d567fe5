import type { HostSampler, ProcessInspector, ProcessSampler, SampleErrorSink } from '../../platforms/types';
import { readUserNames } from '../../platforms/users';
import { createGrouper } from '../grouping/grouper';
import type { AgentConfig } from '../config/agent-config';
import { catalogueEntry, type CollectorEntry } from '../config/collector-catalogue';
import type { GroupAccumulator } from '../grouping/group-accumulator';
import type { Collector } from './collector';
import { kmsgUnavailable } from '../../platforms/kmsg';
import type { Logger } from '../log';
import { HostCollector } from './host';
import { OomCollector } from './oom';
import { connectionsUnavailable, createConnections } from './connections-spec';
import { ConnectionsCollector } from './connections';
import { ProcessesCollector } from './processes';
import { ProcessDetailReader } from './process-detail';
import { ProcessDetailMetrics } from '../metrics/process-detail-metrics';
import type { SampleProblems } from './problems';
import type { SpoolMetrics } from '../metrics/spool-metrics';
import { Spool } from '../spool/spool';
import { checkSpoolDir } from '../spool/spool-dir';
import { SpoolCollector } from './spool';
import { findMemoryHierarchy } from '../../platforms/cgroup/reader';
import { CgroupsCollector } from './cgroups';

/** What a collector may be built from. Building one reads no source and touches no live metric. */
export interface CollectorContext {
  config: AgentConfig;
  /** The chosen platform's samplers, each reporting to the problem sink it is given. */
  processSampler(onError: SampleErrorSink): ProcessSampler;
  hostSampler(onError: SampleErrorSink): HostSampler;
  /** Per-process lookups by pid (cgroup, uid, command line); absent for samplers that read no /proc. */
  inspector?: (onError: SampleErrorSink) => ProcessInspector;
  /** A fresh problem recorder for one collector. */
  problems(): SampleProblems;
  /** Carried over a reload: group CPU counters never go back. */
  groups: GroupAccumulator;
  /** Carried over a reload: the spool's counters never go back. */
  spoolMetrics: SpoolMetrics;
  /** The collectors of the configuration running now (empty at start): a new one takes over their counters. */
  previous: readonly Collector[];
  logger: Logger;
}

/** A collector: its catalogue entry (name, description, opt-in) and how it is built. */
export interface CollectorSpec extends CollectorEntry {
  /** Why it cannot run here, or undefined when it can. */
  unavailable(ctx: CollectorContext): string | undefined;
  /** Its own flags that are set (`--on-oom`): without the collector they do nothing, and the agent says so. */
  flagsSet?(config: AgentConfig): string[];
  create(ctx: CollectorContext): Collector;
}

/** Every collector, in exposition order. */
export const COLLECTORS: readonly CollectorSpec[] = [
  {
    ...catalogueEntry('processes'),
    unavailable: () => undefined,
    create: (ctx) => {
      const problems = ctx.problems();
      const { config } = ctx;
      const inspector = ctx.inspector?.(problems.sink);
      const grouper = createGrouper(
        config.groupBy,
        inspector,
        config.groupBy === 'user' ? readUserNames() : new Map(),
        config.groupRules,
      );
      return new ProcessesCollector(
        ctx.processSampler(problems.sink),
        { rss: config.top, cpu: config.topCpu, hold: config.topHold, maxGroups: config.maxGroups },
        problems,
        ctx.groups,
        grouper,
        config.processDetail.length > 0 && inspector !== undefined
          ? {
              reader: new ProcessDetailReader(
                inspector,
                new Set(config.processDetail),
                config.processDetailPssPerCycle,
              ),
              metrics: new ProcessDetailMetrics(),
            }
          : undefined,
      );
    },
  },
  {
    ...catalogueEntry('host'),
    unavailable: () => undefined,
    create: (ctx) => {
      const problems = ctx.problems();
      return new HostCollector(ctx.hostSampler(problems.sink), problems);
    },
  },
  {
    ...catalogueEntry('oom'),
    unavailable: (ctx) => kmsgUnavailable(ctx.config.kmsgPath),
    flagsSet: (config) => (config.onOom === undefined ? [] : ['--on-oom']),
    // Opens the kernel log and skips its history here, so kills during the first splay are counted.
    create: (ctx) => {
      const { config } = ctx;
      const command =
        config.onOom === undefined
          ? undefined
          : { command: config.onOom, timeoutMs: config.onOomTimeoutMs, job: config.job, instance: config.instance };
      const before = ctx.previous.find((c): c is OomCollector => c instanceof OomCollector);
      return new OomCollector(
        config.kmsgPath,
        config.oomMaxVictims,
        ctx.problems(),
        ctx.logger,
        command,
        before?.handOver(),
      );
    },
  },
  {
    ...catalogueEntry('connections'),
    unavailable: (ctx) => connectionsUnavailable(ctx.config),
    flagsSet: (config) => (config.connections.blockScanners ? ['--block-scanners'] : []),
    create: (ctx) =>
      createConnections(
        ctx.config,
        ctx.problems(),
        ctx.logger,
        ctx.previous.find((c): c is ConnectionsCollector => c instanceof ConnectionsCollector)?.metrics,
      ),
  },
  {
    ...catalogueEntry('cgroups'),
    unavailable: () =>
      findMemoryHierarchy() === undefined ? 'no cgroup memory controller under /sys/fs/cgroup' : undefined,
    create: (ctx) => {
      const hierarchy = findMemoryHierarchy();
      if (hierarchy === undefined) throw new Error('cgroups collector without a memory controller');
      return new CgroupsCollector(hierarchy, ctx.config.maxGroups, ctx.problems());
    },
  },
  {
    ...catalogueEntry('spool'),
    unavailable: (ctx) => (ctx.config.spool === undefined ? 'no --spool-dir given' : undefined),
    flagsSet: (config) => (config.spool === undefined ? [] : ['--spool-dir']),
    create: (ctx) => {
      const spool = ctx.config.spool;
      if (spool === undefined) throw new Error('spool collector without --spool-dir');
      checkSpoolDir(spool.dir);
      return new SpoolCollector(
        new Spool(
          { ...spool, procfsRoot: ctx.config.procfsRoot, ownJob: ctx.config.job },
          ctx.spoolMetrics,
          ctx.logger,
        ),
      );
    },
  },
];

export const COLLECTOR_NAMES = COLLECTORS.map((c) => c.name);
