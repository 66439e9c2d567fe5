import type { AgentConfig } from '../../agent/config/agent-config';
import { SampleProblems } from '../../agent/collectors/problems';
import { COLLECTORS, type CollectorContext } from '../../agent/collectors/registry';
import { sinksFor } from '../../agent/cli/setup';
import type { Logger } from '../../agent/log';
import { Cycle } from '../../agent/loop/cycle';
import { AgentMetrics } from '../../agent/metrics/agent-metrics';
import { GroupAccumulator } from '../../agent/grouping/group-accumulator';
import { SinkMetrics } from '../../agent/metrics/sink-metrics';
import { SpoolMetrics } from '../../agent/metrics/spool-metrics';
import { MemoryQueue } from '../../agent/sink/buffer/queue';
import { SinkRunner } from '../../agent/loop/sink-runner';
import type { Batch } from '../../agent/sink/sink';
import { VERSION } from '../../agent/version';
import { RemoteWriteSink } from '../../agent/sink/remote-write/remote-write-sink';
import { FrameEncoder } from './frame-encoder';
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
  /** Delivers the host's cycles to its sink, as `run` does: one runner per sink. */
  runner: SinkRunner;
  /** The sinks' own counters (samples sent / dropped) and remote write's in-memory buffer; unused by the Pushgateway sink. */
  sinkMetrics: SinkMetrics;
  queue: MemoryQueue;
}

/**
 * Builds host `instance` as `run` would (agent/cli/setup.ts): the registry's
 * collectors on the synthetic samplers, the agent's families, and the sink
 * from sinksFor with its runner, each host with its own remote-write buffer.
 */
export function buildSimHost(
  base: AgentConfig,
  instance: string,
  host: SyntheticHostOptions,
  logger: Logger,
  onBatch?: (batch: Batch) => void,
): SimHost {
  const config: AgentConfig = { ...base, instance };
  const synthetic = new SyntheticHost(host);
  const agent = new AgentMetrics();
  const sinkMetrics = new SinkMetrics();
  const queue = new MemoryQueue(config.buffer.maxBytes);
  const memoryQueues = { 'remote-write': queue, graphite: new MemoryQueue(config.buffer.maxBytes) };
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
    previous: [],
  };
  const collectors = COLLECTORS.filter((c) => SIMULATED.includes(c.name)).map((c) => c.create(ctx));
  const cycle = new Cycle(collectors, agent, logger, config.sinks.includes('remote-write') ? sinkMetrics.families : []);
  agent.info.set(
    {
      os: 'linux',
      kernel: 'simulated',
      sampler: 'synthetic',
      version: VERSION,
      oom_events: 'off',
      group_by: config.groupBy,
    },
    1,
  );
  agent.interval.set(config.intervalMs / 1000);
  for (const c of collectors) agent.collectorFailures.inc({ collector: c.name }, 0);
  const [real] = sinksFor(config, { sinkMetrics, memoryQueues, logger });
  if (real instanceof RemoteWriteSink) useFrameEncoder(real, config);
  const sink = new MeasuredSink(real, onBatch, real.buffered ? queue : undefined);
  return {
    instance,
    config,
    synthetic,
    agent,
    cycle,
    sink,
    runner: new SinkRunner(sink, agent, sinkMetrics, logger),
    sinkMetrics,
    queue,
  };
}

/** A prom-client counter's total over its label sets. */
export async function counterTotal(family: { get(): Promise<{ values: Array<{ value: number }> }> }): Promise<number> {
  return (await family.get()).values.reduce((n, v) => n + v.value, 0);
}

/**
 * The simulator's one departure from the agent's code: the remote-write sink encodes with the
 * FrameEncoder, which writes the same bytes (a property test holds them to BatchEncoder's) at less
 * CPU. The sink keeps its encoder private; swapped here, checked so a rename fails loudly.
 */
function useFrameEncoder(sink: RemoteWriteSink, config: AgentConfig): void {
  const fields = sink as unknown as { encoder?: unknown };
  if (fields.encoder === undefined) throw new Error('fleet-sim: RemoteWriteSink has no encoder field to swap');
  fields.encoder = new FrameEncoder(config.job, config.instance);
}
