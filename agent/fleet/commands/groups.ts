import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { fetchGroups, type GroupCpuSource } from '../fetch';
import {
  ConnectionArgs,
  fleetContext,
  positiveInteger,
  thresholds,
  withConnectionOptions,
  withThresholdOptions,
} from '../options';
import { GROUPING_QUERY } from '../group-host-queries';
import { describeGrouping, groupingByInstance } from '../grouping';
import { recordedGroupCpu } from '../promql';
import { GROUP_COLUMNS, renderRows } from '../render';

type Args = ConnectionArgs & { 'cpu-threshold': number; 'mem-threshold': number; 'min-hosts': number };

/** `fleet groups`: each process group across the fleet; flags groups on too few healthy hosts. */
export const groupsCommand: CommandModule<object, Args> = {
  command: 'groups',
  describe:
    'per process group: on how many hosts it runs, avg/max memory and CPU; flags groups on fewer than --min-hosts healthy hosts. ' +
    'CPU comes from the recorded series of prometheus/rules/hostpulse-fleet.yml when it has --rate-window as its window (2m), ' +
    'else from the raw counters; the table says which',
  builder: (y: Argv) =>
    withThresholdOptions(withConnectionOptions(y)).option('min-hosts', {
      type: 'number',
      default: 2,
      describe: 'flag groups running on fewer healthy hosts than this',
    }),
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const ctx = fleetContext(argv);
    const minHosts = positiveInteger(argv['min-hosts'], '--min-hosts');
    const [{ rows, cpuSource }, grouping] = await Promise.all([
      fetchGroups(ctx.client, ctx.window, thresholds(argv), minHosts),
      // The JSON rows stay as they were; the table says what a group is on these hosts.
      ctx.output === 'table' ? ctx.client.query(GROUPING_QUERY).then(groupingByInstance) : undefined,
    ]);
    const source = describeCpuSource(cpuSource, ctx.window);
    if (argv['log-level'] === 'debug') process.stderr.write(`debug: fleet groups: ${source}\n`);
    const head = grouping === undefined ? '' : `process groups; ${describeGrouping(grouping)}; ${source}\n`;
    process.stdout.write(head + renderRows(ctx.output, GROUP_COLUMNS, rows, 'no process groups'));
  },
};

/** The table header's word on where the CPU columns came from. */
export function describeCpuSource(source: GroupCpuSource, window: string): string {
  return source === 'recorded'
    ? `CPU from the recorded ${recordedGroupCpu(window)}`
    : `CPU rated from the counters over ${window} (no recorded series for this --rate-window)`;
}
