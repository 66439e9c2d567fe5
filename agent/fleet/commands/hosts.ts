import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { fetchHosts } from '../fetch';
import { ConnectionArgs, fleetContext, thresholds, withConnectionOptions, withThresholdOptions } from '../options';
import { renderHosts } from '../render';

type Args = ConnectionArgs & { 'cpu-threshold': number; 'mem-threshold': number };

/** `fleet hosts`: every host, worst first. */
export const hostsCommand: CommandModule<object, Args> = {
  command: 'hosts',
  describe: 'one row per host: status, CPU %, memory %, OOM kills in the last hour, age of the last push; worst first',
  builder: (y: Argv) => withThresholdOptions(withConnectionOptions(y)),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const rows = await fetchHosts(ctx.client, ctx.window, thresholds(argv));
    process.stdout.write(renderHosts(ctx.output, rows));
  },
};
