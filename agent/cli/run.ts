import type { CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { AGENT_OPTIONS } from '../config/options';
import { formatDuration } from '../config/duration';
import { flushLogger } from '../log';
import { runDaemon } from '../loop/daemon';
import { runSpoolDelivery } from '../spool/deliverer';
import { splayMs } from '../loop/schedule';
import { VERSION } from '../version';
import { reparseAgentArgs, withConfigSources } from './config-sources';
import { SinkRunner } from '../loop/sink-runner';
import { setUpAgent, sinksFor, type AgentParts } from './setup';
import { scrapeChange, startScrapeEndpoint } from './scrape';
import type { Sink } from '../sink/sink';
import { startWatchdog } from '../loop/watchdog';
import { limitHeapGrowth } from '../loop/heap-growth';

/** Releases a built configuration that never ran. */
function closeSet(set: { parts: AgentParts; sinks: Sink[] } | undefined): void {
  if (!set) return;
  for (const s of set.sinks) s.close();
  set.parts.close();
}

/** An in-flight push gets this long to land after SIGTERM; the whole stop stays under 2 s. */
const SHUTDOWN_GRACE_MS = 1500;

export const runCommand: CommandModule = {
  command: 'run',
  describe: 'Run the agent: collect and push every --interval until SIGTERM/SIGINT; SIGHUP reloads --config',
  builder: (y) => withConfigSources(y).options(AGENT_OPTIONS),
  handler: async (argv) => {
    // A daemon runs for ever: keep its heap near what it uses (a 20 MB lower RSS peak).
    limitHeapGrowth();
    let parts = await setUpAgent(argv);
    // Listens before anything runs: an address in use stops the start (exit 2), not the first cycle.
    const scrape = parts.config.scrape && (await startScrapeEndpoint(parts));
    // A bad sink at start is a usage error (exit 2); after a reload it only rejects the reload.
    let sinks = sinksFor(parts.config, parts, true, scrape);
    parts.activate();
    const watchdog = startWatchdog(parts.logger);
    const stop = new AbortController();
    let generation = new AbortController();
    let next: { parts: AgentParts; sinks: Sink[] } | undefined;

    const onStop = (sig: NodeJS.Signals): void => {
      if (!stop.signal.aborted) parts.logger.info(`${sig} received, stopping`);
      stop.abort();
      generation.abort();
    };
    // SIGHUP: build everything anew from flags, env and the re-read config file (sinks and their
    // --buffer-dir included), without touching the running agent; only a complete new set
    // replaces it, between cycles. A bad new config is rejected with a log line and the running
    // one kept.
    const onReload = (): void => {
      parts.logger.info('SIGHUP received, reloading configuration');
      reparseAgentArgs(hideBin(process.argv))
        // The running parts are a CarriedState: everything that must outlive a reload goes over.
        .then((fresh) => setUpAgent(fresh, parts))
        .then((built) => {
          const why = scrapeChange(scrape, built.config.scrape);
          if (why !== undefined) {
            built.close();
            throw new Error(why);
          }
          let builtSinks: Sink[];
          try {
            builtSinks = sinksFor(built.config, built, true, scrape);
          } catch (err) {
            built.close();
            throw err;
          }
          // Two quick SIGHUPs: the first new set is never started; release it.
          closeSet(next);
          next = { parts: built, sinks: builtSinks };
          generation.abort();
        })
        .catch((err: unknown) =>
          parts.logger.error(`reload rejected, keeping the running configuration: ${(err as Error).message}`),
        );
    };
    process.on('SIGTERM', onStop);
    process.on('SIGINT', onStop);
    process.on('SIGHUP', onReload);

    try {
      while (!stop.signal.aborted) {
        const { config, logger, agent, cycle } = parts;
        const runners = sinks.map((sink) => new SinkRunner(sink, agent, parts.sinkMetrics, logger));
        // Scraped only: Prometheus spreads its scrapes itself, so the first cycle runs at once and /metrics is ready sooner.
        const firstDelayMs = config.sinks.every((s) => s === 'scrape')
          ? 0
          : splayMs(config.instance, config.intervalMs);
        logger.info('hostpulse started', {
          version: VERSION,
          sampler: parts.samplerName,
          collectors: cycle.collectors.map((c) => c.name).join(','),
          sinks: sinks.map((s) => s.name).join(','),
          url: sinks.map((s) => s.target).join(' '),
          interval: formatDuration(config.intervalMs),
          firstPushIn: formatDuration(firstDelayMs),
        });
        // Spool files go out beside the cycle, on their own timing: a slow backend never delays a cycle.
        const spooling =
          parts.spool && runSpoolDelivery(parts.spool.spool, parts.spool.delivery, logger, generation.signal);
        try {
          await runDaemon(
            cycle,
            runners,
            logger,
            { intervalMs: config.intervalMs, firstDelayMs, shutdownGraceMs: SHUTDOWN_GRACE_MS },
            generation.signal,
          );
        } finally {
          for (const s of sinks) s.close();
          sinks = [];
          await spooling;
        }
        if (next && !stop.signal.aborted) {
          const old = parts;
          parts = next.parts;
          sinks = next.sinks;
          next = undefined;
          generation = new AbortController();
          old.close();
          parts.activate();
          old.logger.info('configuration reloaded');
          await flushLogger(old.logger);
        }
      }
    } finally {
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      process.off('SIGHUP', onReload);
      watchdog?.stop();
      closeSet(next);
      for (const s of sinks) s.close();
      parts.close();
      await scrape?.close();
      parts.logger.info('hostpulse stopped');
      await flushLogger(parts.logger);
    }
  },
};
