import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors';
import { fetchHosts, MAX_HOSTS_BY_NAME } from '../fetch';
import { buildGroupHostRows, type GroupHostRow } from '../group-host-rows';
import { GROUPING_QUERY, groupHostQueries, KNOWN_GROUPS_QUERY } from '../group-host-queries';
import { describeGrouping, groupingByInstance } from '../grouping';
import { ConnectionArgs, fleetContext, thresholds, withConnectionOptions, withThresholdOptions } from '../options';
import type { PrometheusClient } from '../prometheus-client';
import type { Thresholds } from '../promql';
import { GROUP_HOST_COLUMNS, renderRows } from '../render';
import { byLabel } from '../vector';

type Args = ConnectionArgs & { name: string; 'cpu-threshold': number; 'mem-threshold': number };

/**
 * The I/O of `fleet group NAME`: the group's queries and the groupings at once, and as soon as the hosts
 * running the group are known, the status of `fleet hosts` for just those (by name up to MAX_HOSTS_BY_NAME,
 * the whole fleet past it; without its OOM column, which the rows do not show) while the group's RSS and CPU
 * are still on their way: 8 queries whatever the fleet's size (9 when some hosts stopped, 10 without the
 * recorded host CPU), so `fleet serve`'s group page stays within its 10.
 */
export async function fetchGroupHosts(
  client: PrometheusClient,
  window: string,
  t: Thresholds,
  group: string,
): Promise<{ rows: GroupHostRow[]; grouping: Map<string, string> }> {
  const q = groupHostQueries(group, window);
  const processes = client.query(q.processes).then((r) => byLabel(r, 'instance'));
  const hosts = processes.then(async (running) => {
    // Rows are the hosts with a processes series (buildGroupHostRows): only their status is needed.
    const names = [...running.keys()].sort();
    if (names.length === 0) return [];
    return fetchHosts(client, window, t, names.length <= MAX_HOSTS_BY_NAME ? names : undefined, { oomKills: false });
  });
  const [running, rss, cpu, grouping, rows] = await Promise.all([
    processes,
    client.query(q.rss).then((r) => byLabel(r, 'instance')),
    client.query(q.cpu).then((r) => byLabel(r, 'instance')),
    client.query(GROUPING_QUERY).then(groupingByInstance),
    hosts,
  ]);
  return { rows: buildGroupHostRows({ processes: running, rss, cpu }, rows, grouping), grouping };
}

/** `fleet group NAME`: one service across the fleet, host by host. */
export const groupCommand: CommandModule<object, Args> = {
  command: 'group <name>',
  describe:
    'one process group (a service) across the fleet: the hosts running it, its RSS, CPU % and processes on each, and whether the host is healthy; unknown group: exit 2',
  builder: (y: Argv) =>
    withThresholdOptions(withConnectionOptions(y)).positional('name', {
      type: 'string',
      describe: 'the group as the agents name it (a comm, a unit like nginx.service, a user, a rule name)',
    }) as unknown as Argv<Args>,
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const name = String(argv.name ?? '');
    if (name.trim() === '') throw new UsageError('fleet group: name a group');
    const ctx = fleetContext(argv);
    const { rows, grouping } = await fetchGroupHosts(ctx.client, ctx.window, thresholds(argv), name);
    if (rows.length === 0) {
      const known = [...byLabel(await ctx.client.query(KNOWN_GROUPS_QUERY), 'group').keys()].sort();
      const list =
        known.length === 0
          ? 'no host reports groups'
          : `known groups: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ` and ${known.length - 8} more` : ''}`;
      throw new UsageError(`unknown group "${name}": no host runs it (${list}; ${describeGrouping(grouping)})`);
    }
    if (ctx.output === 'json') {
      process.stdout.write(renderRows('json', GROUP_HOST_COLUMNS, rows, ''));
      return;
    }
    const healthy = rows.filter((r) => r.status === 'ok').length;
    const head = `group ${name} on ${rows.length} host${rows.length === 1 ? '' : 's'} (${healthy} healthy); ${describeGrouping(
      grouping,
      rows.map((r) => r.instance),
    )}\n`;
    process.stdout.write(head + renderRows('table', GROUP_HOST_COLUMNS, rows, ''));
  },
};
