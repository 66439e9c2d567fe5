import type { CommandModule } from 'yargs';
import { flushLogger } from '../log';
import { BackendError } from '../errors';
import { AGENT_OPTIONS } from '../config/options';
import { withConfigSources } from './config-sources';
import { setUpAgent, sinksFor } from './setup';

export const onceCommand: CommandModule = {
  command: 'once',
  describe:
    'Collect once and push (or print with --stdout), then exit; a failing collector is logged and reported in hostpulse_agent_collector_success',
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
        await new Promise<void>((resolve, reject) =>
          process.stdout.write(batch.exposition, (err) => (err ? reject(err) : resolve())),
        );
        return;
      }
      // One request per sink, all at once: no back-off wait (with --buffer-dir an unsent one stays for the next `run`).
      const sinks = sinksFor(config, parts, false);
      try {
        const results = await Promise.allSettled(sinks.map((s) => s.send(batch)));
        const failed: string[] = [];
        results.forEach((r, i) => {
          if (r.status === 'fulfilled') logger.info('pushed', { sink: sinks[i].name, url: sinks[i].target });
          else failed.push(`push to ${sinks[i].target} failed: ${(r.reason as Error).message}`);
        });
        if (failed.length > 0) throw new BackendError(failed.join('; '));
      } finally {
        for (const s of sinks) s.close();
      }
    } finally {
      parts.close();
      await flushLogger(logger);
    }
  },
};
