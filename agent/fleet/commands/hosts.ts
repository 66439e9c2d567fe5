import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { fetchHosts } from '../fetch';
import { ConnectionArgs, fleetContext, thresholds, withConnectionOptions, withThresholdOptions } from '../options';
import { pageFooter, pageOf, withPageOptions, type PageArgs } from '../page';
import { renderHosts } from '../render';

type Args = ConnectionArgs & PageArgs & { 'cpu-threshold': number; 'mem-threshold': number };

/** `fleet hosts`: every host, worst first. */
export const hostsCommand: CommandModule<object, Args> = {
  command: 'hosts',
  describe:
    'one row per host: status, CPU %, memory %, OOM kills in the last hour, age of the last push; worst first (--limit/--offset to page)',
  builder: (y: Argv) => withPageOptions(withThresholdOptions(withConnectionOptions(y))),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const page = pageOf(await fetchHosts(ctx.client, ctx.window, thresholds(argv)), argv);
    const footer = ctx.output === 'table' ? pageFooter(page, argv.limit, 'hosts') : '';
    process.stdout.write(renderHosts(ctx.output, page.rows) + footer);
  },
};
