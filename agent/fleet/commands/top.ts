import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { fetchProcesses, requireKnownHost } from '../fetch';
import { ConnectionArgs, fleetContext, positiveInteger, withConnectionOptions } from '../options';
import { ProcessSortKey, topProcesses } from '../process-rows';
import { PROCESS_COLUMNS, renderRows } from '../render';

export type HostArgs = { host: string };
type Args = ConnectionArgs & HostArgs & { by: ProcessSortKey; limit: number };

export function withHostOption<T>(y: Argv<T>) {
  return y.option('host', { type: 'string', demandOption: true, describe: 'the instance name the agent pushes as' });
}

export function withTopOptions<T>(y: Argv<T>) {
  return y
    .option('by', { choices: ['memory', 'cpu'] as const, default: 'memory' as const, describe: 'sort by RSS or CPU %' })
    .option('limit', { alias: 'n', type: 'number', default: 10, describe: 'how many processes to show' });
}

/** `fleet top --host NAME`: the host's largest processes (among the top N by RSS its agent exports). */
export const topCommand: CommandModule<object, Args> = {
  command: 'top',
  describe: "a host's top processes (pid, comm, RSS, CPU %), largest first; unknown host: exit 2",
  builder: (y: Argv) => withTopOptions(withHostOption(withConnectionOptions(y))),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const n = positiveInteger(argv.limit, '-n/--limit');
    await requireKnownHost(ctx.client, argv.host);
    const rows = topProcesses(await fetchProcesses(ctx.client, argv.host, ctx.window), argv.by, n);
    process.stdout.write(renderRows(ctx.output, PROCESS_COLUMNS, rows, `no per-process series for ${argv.host}`));
  },
};
