import type { CommandModule } from 'yargs';
import { flushLogger } from '../log';
import { BackendError } from '../errors';
import { AGENT_OPTIONS } from '../config/options';
import { withConfigSources } from './config-sources';
import { setUpAgent, sinkFor } from './setup';

export const onceCommand: CommandModule = {
  command: 'once',
  describe: 'Collect once and push (or print with --stdout), then exit; a failing collector is logged and reported in hostpulse_agent_collector_success',
  builder: (y) =>
    withConfigSources(y).options(AGENT_OPTIONS).option('stdout', {
      type: 'boolean',
      default: false,
      describe: 'print the Prometheus exposition text instead of pushing',
    }),
  handler: async (argv) => {
    const parts = await setUpAgent(argv);
    const { config, logger, cycle } = parts;
    parts.activate();
    try {
      // Nothing aborts a single run: it ends when the collectors do (ps/top have their timeout).
      const batch = await cycle.run(new AbortController().signal);
      if (batch === undefined) throw new Error('the cycle was aborted');
      if (argv.stdout) {
        await new Promise<void>((resolve, reject) => process.stdout.write(batch.text, (err) => (err ? reject(err) : resolve())));
        return;
      }
      // One request: no back-off wait (with --buffer-dir an unsent one stays for the next `run`).
      const sink = sinkFor(config, parts, false);
      try {
        await sink.send(batch);
        logger.info('pushed', { url: sink.target });
      } catch (err) {
        throw new BackendError(`push to ${sink.target} failed: ${(err as Error).message}`);
      } finally {
        sink.close();
      }
    } finally {
      parts.close();
      await flushLogger(logger);
    }
  },
};
