import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { atRiskQueries, buildAtRiskRows, type AtRiskRow } from '../at-risk-rows';
import { ConnectionArgs, fleetContext, nonNegative, positiveInteger, withConnectionOptions } from '../options';
import { renderRows } from '../render';
import { type Column, fmtBytes, fmtNumber, fmtPercent } from '../table';
import { byLabels } from '../vector';

type Args = ConnectionArgs & { 'mem-threshold': number; 'pressure-threshold': number; limit: number };

const COLUMNS: Column<AtRiskRow>[] = [
  { header: 'INSTANCE', cell: (r) => r.instance },
  { header: 'CGROUP', cell: (r) => r.cgroup },
  { header: 'USAGE', cell: (r) => fmtBytes(r.usage_bytes), align: 'right' },
  { header: 'LIMIT', cell: (r) => (r.limit_bytes === null ? 'none' : fmtBytes(r.limit_bytes)), align: 'right' },
  { header: 'USED', cell: (r) => fmtPercent(r.used_percent), align: 'right' },
  { header: 'PRESSURE', cell: (r) => fmtPercent(r.pressure_full_percent), align: 'right' },
  { header: 'OOM 1H', cell: (r) => String(r.oom_kills_1h), align: 'right' },
  { header: 'PROCS', cell: (r) => fmtNumber(r.processes), align: 'right' },
  { header: 'AT RISK', cell: (r) => (r.at_risk ? 'yes' : '') },
];

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
    const q = atRiskQueries(ctx.window);
    const key = ['instance', 'cgroup'];
    const [usage, lim, pressure, kills, processes] = await Promise.all([
      ctx.client.query(q.usage).then((r) => byLabels(r, key)),
      ctx.client.query(q.limit).then((r) => byLabels(r, key)),
      ctx.client.query(q.pressure).then((r) => byLabels(r, key)),
      ctx.client.query(q.kills).then((r) => byLabels(r, key)),
      ctx.client.query(q.processes).then((r) => byLabels(r, ['instance', 'group'])),
    ]);
    const rows = buildAtRiskRows({ usage, limit: lim, pressure, kills, processes }, t).slice(0, limit);
    process.stdout.write(
      renderRows(ctx.output, COLUMNS, rows, 'no memory cgroups with a limit, pressure or OOM kills'),
    );
    if (rows.some((r) => r.at_risk)) process.exitCode = 1;
  },
};
