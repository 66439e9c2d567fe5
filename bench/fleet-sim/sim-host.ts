import type { AgentConfig } from '../../agent/config/agent-config';
import { DEFAULT_BUFFER_MAX_BYTES } from '../../agent/config/remote-write-config';
import { SampleProblems } from '../../agent/collectors/problems';
import { COLLECTORS, type CollectorContext } from '../../agent/collectors/registry';
import { sinkFor } from '../../agent/cli/setup';
import type { Logger } from '../../agent/log';
import { Cycle } from '../../agent/loop/cycle';
import { AgentMetrics } from '../../agent/metrics/agent-metrics';
import { GroupAccumulator } from '../../agent/metrics/group-accumulator';
import { RemoteWriteMetrics } from '../../agent/metrics/remote-write-metrics';
import { SpoolMetrics } from '../../agent/metrics/spool-metrics';
import { MemoryQueue } from '../../agent/sink/remote-write/queue';
import type { Batch } from '../../agent/sink/sink';
import { VERSION } from '../../agent/version';
import { MeasuredSink } from './measured-sink';
import { SyntheticHost, type SyntheticHostOptions } from './synthetic-host';

/** The collectors a simulated host runs: the two every agent runs (oom reads the real kernel log, connections the real sockets). */
const SIMULATED = ['processes', 'host'];

/** One simulated agent: the real collectors, cycle and sink on a synthetic process table. */
export interface SimHost {
  instance: string;
  config: AgentConfig;
  synthetic: SyntheticHost;
  agent: AgentMetrics;
  cycle: Cycle;
  sink: MeasuredSink;
  /** Remote write's own counters (samples sent / dropped) and in-memory buffer; unused by the Pushgateway sink. */
  remoteWrite: RemoteWriteMetrics;
  queue: MemoryQueue;
}

/**
 * Builds host `instance` as `run` would (agent/cli/setup.ts): the registry's
 * collectors on the synthetic samplers, the agent's families, and the sink
 * from sinkFor, each host with its own remote-write buffer.
 */
export function buildSimHost(base: AgentConfig, instance: string, host: SyntheticHostOptions, logger: Logger, onBatch?: (batch: Batch) => void): SimHost {
  const config: AgentConfig = { ...base, instance };
  const synthetic = new SyntheticHost(host);
  const agent = new AgentMetrics();
  const remoteWrite = new RemoteWriteMetrics();
  const queue = new MemoryQueue(config.remoteWrite?.bufferMaxBytes ?? DEFAULT_BUFFER_MAX_BYTES);
  const warned = new Set<string>();
  const ctx: CollectorContext = {
    config,
    processSampler: () => synthetic.processSampler,
    hostSampler: () => synthetic.hostSampler,
    problems: () => new SampleProblems(agent, logger, warned),
    groups: new GroupAccumulator(),
    logger,
    // The spool is not simulated (SIMULATED leaves it out); the context needs its families all the same.
    spoolMetrics: new SpoolMetrics(),
  };
  const collectors = COLLECTORS.filter((c) => SIMULATED.includes(c.name)).map((c) => c.create(ctx));
  const cycle = new Cycle(collectors, agent, logger, config.sink === 'remote-write' ? remoteWrite.families : []);
  agent.info.set({ os: 'linux', kernel: 'simulated', sampler: 'synthetic', version: VERSION, oom_events: 'off', group_by: config.groupBy }, 1);
  agent.interval.set(config.intervalMs / 1000);
  for (const c of collectors) agent.collectorFailures.inc({ collector: c.name }, 0);
  const sink = new MeasuredSink(sinkFor(config, { remoteWrite, memoryQueue: queue, logger }), onBatch);
  return { instance, config, synthetic, agent, cycle, sink, remoteWrite, queue };
}

/** A prom-client counter's total over its label sets. */
export async function counterTotal(family: { get(): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await family.get()).values.reduce((n, v) => n + v.value, 0);
}
