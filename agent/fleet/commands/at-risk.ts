import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { fetchAtRisk } from '../at-risk-fetch';
import { AT_RISK_COLUMNS } from '../at-risk-rows';
import { ConnectionArgs, fleetContext, nonNegative, positiveInteger, withConnectionOptions } from '../options';
import { renderRows } from '../render';

type Args = ConnectionArgs & { 'mem-threshold': number; 'pressure-threshold': number; limit: number };

/**
 * `fleet at-risk`: memory cgroups (from agents run with `--collectors
 * +cgroups`) nearest their limit or under memory pressure, worst first.
 * Exit 1 when any is over a threshold, like `fleet unhealthy`: not an
 * error, so process.exitCode, never process.exit.
 */
export const atRiskCommand: CommandModule<object, Args> = {
  command: 'at-risk',
  describe:
    'memory cgroups nearest their limit or under memory pressure, worst first (agents with --collectors +cgroups); exit 1 when any is over a threshold',
  builder: (y: Argv) =>
    withConnectionOptions(y)
      .option('mem-threshold', {
        type: 'number',
        default: 90,
        describe: 'a cgroup over this % of its memory limit is at risk',
      })
      .option('pressure-threshold', {
        type: 'number',
        default: 10,
        describe: 'a cgroup whose tasks all stall on memory this % of the time (PSI full) is at risk',
      })
      .option('limit', { type: 'number', default: 20, describe: 'at most this many rows (the worst)' }),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const t = {
      usedPercent: nonNegative(argv['mem-threshold'], '--mem-threshold'),
      pressurePercent: nonNegative(argv['pressure-threshold'], '--pressure-threshold'),
    };
    const limit = positiveInteger(argv.limit, '--limit');
    const rows = await fetchAtRisk(ctx.client, ctx.window, t, { limit });
    process.stdout.write(
      renderRows(ctx.output, AT_RISK_COLUMNS, rows, 'no memory cgroups with a limit, pressure or OOM kills'),
    );
    if (rows.some((r) => r.at_risk)) process.exitCode = 1;
  },
};
