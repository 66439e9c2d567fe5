import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { fetchHosts } from '../fetch';
import { ConnectionArgs, fleetContext, thresholds, withConnectionOptions, withThresholdOptions } from '../options';
import { pageFooter, pageOf, withPageOptions, type PageArgs } from '../page';
import { renderHosts } from '../render';

type Args = ConnectionArgs & PageArgs & { 'cpu-threshold': number; 'mem-threshold': number };

/**
 * `fleet unhealthy`: hosts over a threshold or stale, with the reasons.
 * Exit 1 when any host is listed, for cron and scripts. That is not an error,
 * so the handler sets process.exitCode = 1 instead of throwing (and never
 * calls process.exit, which could cut stdout short on a pipe).
 */
export const unhealthyCommand: CommandModule<object, Args> = {
  command: 'unhealthy',
  describe: 'only hosts over --cpu-threshold / --mem-threshold or stale, with the reason; exit 1 when any is listed',
  builder: (y: Argv) => withPageOptions(withThresholdOptions(withConnectionOptions(y))),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const rows = (await fetchHosts(ctx.client, ctx.window, thresholds(argv))).filter((r) => r.status !== 'ok');
    const page = pageOf(rows, argv);
    const footer = ctx.output === 'table' ? pageFooter(page, argv.limit, 'unhealthy hosts') : '';
    process.stdout.write(
      ctx.output === 'table' && rows.length === 0
        ? 'all hosts ok\n'
        : renderHosts(ctx.output, page.rows, true) + footer,
    );
    if (rows.length > 0) process.exitCode = 1;
  },
};
