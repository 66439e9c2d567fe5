import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { promRangeDuration } from '../duration';
import { fetchOoms } from '../fetch';
import { oomLines } from '../oom-rows';
import { ConnectionArgs, fleetContext, withConnectionOptions } from '../options';
import { OOM_COLUMNS } from '../render';
import { formatTable } from '../table';

type Args = ConnectionArgs & { since: string };

/** `fleet ooms`: hosts with OOM kills in a window, worst first, and who was killed. */
export const oomsCommand: CommandModule<object, Args> = {
  command: 'ooms',
  describe:
    'hosts with OOM kills in the last --since, worst first, with the victims (comm, kills, constraint, last RSS)',
  builder: (y: Argv) =>
    withConnectionOptions(y).option('since', {
      type: 'string',
      default: '1h',
      describe: 'the window: a PromQL duration (30m, 1h, 1d)',
    }),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const since = promRangeDuration(argv.since, '--since');
    const rows = await fetchOoms(ctx.client, since);
    if (ctx.output === 'json') process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else
      process.stdout.write(
        rows.length === 0 ? `no OOM kills in the last ${since}\n` : formatTable(OOM_COLUMNS, oomLines(rows)),
      );
  },
};
