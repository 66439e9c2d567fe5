import { currentRate, promString } from './promql';

/** The queries of `fleet group NAME`: one group's series on every host that has it, aggregated by instance. */
export interface GroupHostQueries {
  /** The hosts running the group: every instance with a hostpulse_group_processes series for it. */
  processes: string;
  rss: string;
  /** CPU of the group's processes, percent of one CPU, over the rate window. */
  cpu: string;
}

export function groupHostQueries(group: string, window: string): GroupHostQueries {
  const g = `{group=${promString(group)}}`;
  return {
    processes: `max by (instance) (hostpulse_group_processes${g})`,
    rss: `max by (instance) (hostpulse_group_resident_memory_bytes${g})`,
    cpu: `100 * sum by (instance) ${currentRate(`hostpulse_group_cpu_seconds_total${g}`, window)}`,
  };
}

/** What each host groups by (hostpulse_host_info{group_by}); agents older than --group-by have no such label. */
export const GROUPING_QUERY = 'max by (instance, group_by) (hostpulse_host_info)';

/** Every group name in the fleet, for the message when NAME matches none. */
export const KNOWN_GROUPS_QUERY = 'count by (group) (hostpulse_group_processes)';
