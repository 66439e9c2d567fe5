import type { CommandModule } from 'yargs';
import { flushLogger } from '../log';
import { BackendError } from '../errors';
import { AGENT_OPTIONS } from '../config/options';
import { withConfigSources } from './config-sources';
import { setUpAgent, sinkFor } from './setup';

export const onceCommand: CommandModule = {
  command: 'once',
  describe: 'Sample once and push (or print with --stdout), then exit',
  builder: (y) =>
    withConfigSources(y).options(AGENT_OPTIONS).option('stdout', {
      type: 'boolean',
      default: false,
      describe: 'print the Prometheus exposition text instead of pushing',
    }),
  handler: async (argv) => {
    const { config, logger, cycle } = await setUpAgent(argv);
    try {
      const text = await cycle.run();
      if (argv.stdout) {
        await new Promise<void>((resolve, reject) => process.stdout.write(text, (err) => (err ? reject(err) : resolve())));
        return;
      }
      const sink = sinkFor(config);
      try {
        await sink.push(text);
        logger.info('pushed', { url: sink.url });
      } catch (err) {
        throw new BackendError(`push to ${sink.url} failed: ${(err as Error).message}`);
      } finally {
        sink.close();
      }
    } finally {
      await flushLogger(logger);
    }
  },
};
