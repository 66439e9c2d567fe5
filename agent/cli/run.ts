import type { CommandModule } from 'yargs';
import { AGENT_OPTIONS } from '../config/options';
import { formatDuration } from '../config/duration';
import { flushLogger } from '../log';
import { runDaemon } from '../loop/daemon';
import { splayMs } from '../loop/schedule';
import { VERSION } from '../version';
import { setUpAgent, sinkFor } from './setup';

/** An in-flight push gets this long to land after SIGTERM; the whole stop stays under 2 s. */
const SHUTDOWN_GRACE_MS = 1500;

export const runCommand: CommandModule = {
  command: 'run',
  describe: 'Run the agent: sample and push every --interval until SIGTERM/SIGINT',
  builder: (y) => y.options(AGENT_OPTIONS),
  handler: async (argv) => {
    const { config, logger, metrics, samplers, cycle } = await setUpAgent(argv);
    const sink = sinkFor(config);
    const stop = new AbortController();
    const onSignal = (sig: NodeJS.Signals): void => {
      if (!stop.signal.aborted) logger.info(`${sig} received, stopping`);
      stop.abort();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    const firstDelayMs = splayMs(config.instance, config.intervalMs);
    logger.info('hostpulse started', {
      version: VERSION,
      sampler: samplers.process.name,
      url: sink.url,
      interval: formatDuration(config.intervalMs),
      firstPushIn: formatDuration(firstDelayMs),
    });
    try {
      await runDaemon(cycle, sink, metrics, logger, { intervalMs: config.intervalMs, firstDelayMs, shutdownGraceMs: SHUTDOWN_GRACE_MS }, stop.signal);
    } finally {
      sink.close();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      logger.info('hostpulse stopped');
      await flushLogger(logger);
    }
  },
};
