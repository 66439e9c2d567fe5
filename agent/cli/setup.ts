import { buildAgentConfig, type AgentConfig } from '../config/agent-config';
import { readHostInfo } from '../host-info';
import { createLogger, type Logger } from '../log';
import { Cycle } from '../loop/cycle';
import type { GroupAccumulator } from '../metrics/group-accumulator';
import { PushgatewaySink } from '../sink/pushgateway';
import { HostpulseMetrics } from '../metrics/registry';
import { VERSION } from '../version';
import { choosePlatform } from '../../platforms/choose';
import type { SamplerPair } from '../../platforms/types';

export interface AgentParts {
  config: AgentConfig;
  logger: Logger;
  metrics: HostpulseMetrics;
  samplers: SamplerPair;
  cycle: Cycle;
}

/** Longest a ps/top spawn may take: well inside the interval, never more than 5 s. */
const MAX_COMMAND_TIMEOUT_MS = 5000;

/** What a reload carries over from the running agent: counters must not restart. */
export interface CarriedState {
  metrics: HostpulseMetrics;
  groups: GroupAccumulator;
}

/**
 * Validates the options, picks the sampler and builds the metrics. Throws
 * UsageError / UnsupportedSamplerError before anything starts.
 */
export async function setUpAgent(argv: Record<string, unknown>, carried?: CarriedState): Promise<AgentParts> {
  const config = buildAgentConfig(argv, process.stderr.isTTY === true);
  const logger = createLogger(config.logLevel, config.logFormat);
  const { entry, probe } = await choosePlatform(config.procfsRoot, config.sampler);

  // A reload keeps the metrics, so counters (push failures, sample errors) do not restart.
  const metrics = carried?.metrics ?? new HostpulseMetrics();
  // The sampler may have changed: its old duration series goes.
  metrics.sampleDuration.reset();
  const warned = new Set<string>();
  const samplers = entry.create(
    {
      procfsRoot: config.procfsRoot,
      commandTimeoutMs: Math.min(config.intervalMs, MAX_COMMAND_TIMEOUT_MS),
      onError: (reason, detail) => {
        metrics.sampleErrors.inc({ reason });
        // The first of each kind is worth a line; the counter carries the rest.
        if (warned.has(reason)) logger.debug(`sampling: skipped ${detail}`, { reason });
        else {
          warned.add(reason);
          logger.warn(`sampling: skipped ${detail} (further ones are counted in hostpulse_agent_sample_errors_total)`, { reason });
        }
      },
    },
    probe,
  );

  const info = readHostInfo(entry.name === 'procfs' ? config.procfsRoot : undefined);
  metrics.hostInfo.reset();
  metrics.hostInfo.set({ os: info.os, kernel: info.kernel, sampler: entry.name, version: VERSION }, 1);
  metrics.interval.set(config.intervalMs / 1000);

  const cycle = new Cycle(samplers.process, samplers.host, metrics, config.top, carried?.groups);
  return { config, logger, metrics, samplers, cycle };
}

export function sinkFor(config: AgentConfig): PushgatewaySink {
  return new PushgatewaySink({
    url: config.pushgatewayUrl,
    job: config.job,
    instance: config.instance,
    timeoutMs: config.pushTimeoutMs,
    auth: config.auth,
    tls: config.tls,
  });
}
