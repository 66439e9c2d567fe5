import { buildGroupHostRows } from '../../agent/fleet/group-host-rows';
import { groupHostQueries, GROUPING_QUERY } from '../../agent/fleet/group-host-queries';
import { describeGrouping, groupingByInstance } from '../../agent/fleet/grouping';
import { buildHostRows } from '../../agent/fleet/host-rows';
import { GROUP_HOST_COLUMNS, renderRows } from '../../agent/fleet/render';

const m = (o: Record<string, number | null>) => new Map(Object.entries(o));
const T = { cpuPercent: 90, memoryPercent: 90 };

describe('buildGroupHostRows (fleet group NAME)', () => {
  // Three hosts in the fleet: a is fine, b is over the memory threshold, c has stopped pushing.
  const hosts = buildHostRows(
    {
      interval: m({ a: 15, b: 15, c: 15, d: 15 }),
      pushAge: m({ a: 3, b: 4, c: 600, d: 2 }),
      cpu: m({ a: 10, b: 20, c: 5, d: 1 }),
      memory: m({ a: 40, b: 95, c: 30, d: 10 }),
      oomKills: m({}),
    },
    T,
  );
  const grouping = new Map([
    ['a', 'cgroup'],
    ['b', 'cgroup'],
    ['c', 'comm'],
  ]);

  it('lists only the hosts running the group, with the status `fleet hosts` gives them, worst first', () => {
    const rows = buildGroupHostRows(
      {
        processes: m({ a: 4, b: 2, c: 1, e: 3 }),
        rss: m({ a: 300e6 + 0.4, b: 100e6, c: 50e6, e: 1e6 }),
        cpu: m({ a: 12.345, b: null }),
      },
      hosts,
      grouping,
    );
    expect(rows.map((r) => [r.instance, r.status])).toEqual([
      ['c', 'stale'],
      // e has group series but no push interval: stale too, after the older one by RSS.
      ['e', 'stale'],
      ['b', 'unhealthy'],
      ['a', 'ok'],
    ]);
    expect(rows.find((r) => r.instance === 'a')).toEqual({
      instance: 'a',
      status: 'ok',
      reasons: [],
      group_by: 'cgroup',
      processes: 4,
      rss_bytes: 300e6,
      cpu_percent: 12.3,
    });
    expect(rows.find((r) => r.instance === 'b')?.reasons).toEqual(['memory: 95.0% > 90%']);
    expect(rows.find((r) => r.instance === 'e')).toMatchObject({
      group_by: null,
      cpu_percent: null,
      reasons: ['stale: no hostpulse_agent_interval_seconds for this host'],
    });
    // d runs other things only.
    expect(rows.some((r) => r.instance === 'd')).toBe(false);
  });

  it('renders a table with every column, and JSON with the stable field names', () => {
    const rows = buildGroupHostRows(
      { processes: m({ a: 4 }), rss: m({ a: 300 * 1024 * 1024 }), cpu: m({ a: 1.5 }) },
      hosts,
      grouping,
    );
    const table = renderRows('table', GROUP_HOST_COLUMNS, rows, '');
    expect(table.split('\n')[0]).toMatch(/^INSTANCE +STATUS +PROCS +RSS +CPU +GROUP BY +REASONS$/);
    expect(table.split('\n')[1]).toMatch(/^a +ok +4 +300(\.0)? ?MiB +1\.5% +cgroup$/);
    expect(Object.keys((JSON.parse(renderRows('json', GROUP_HOST_COLUMNS, rows, '')) as object[])[0])).toEqual([
      'instance',
      'status',
      'reasons',
      'group_by',
      'processes',
      'rss_bytes',
      'cpu_percent',
    ]);
  });
});

describe('groupHostQueries', () => {
  it('selects the one group (quoted) and aggregates by instance; CPU only for series that exist now', () => {
    const q = groupHostQueries('nginx "edge".service', '1m');
    expect(q.processes).toBe('max by (instance) (hostpulse_group_processes{group="nginx \\"edge\\".service"})');
    expect(q.rss).toBe('max by (instance) (hostpulse_group_resident_memory_bytes{group="nginx \\"edge\\".service"})');
    expect(q.cpu).toBe(
      '100 * sum by (instance) (rate(hostpulse_group_cpu_seconds_total{group="nginx \\"edge\\".service"}[1m]) and hostpulse_group_cpu_seconds_total{group="nginx \\"edge\\".service"})',
    );
    expect(GROUPING_QUERY).toBe('max by (instance, group_by) (hostpulse_host_info)');
  });
});

describe('grouping: what a group is on each host', () => {
  const sample = (metric: Record<string, string>) => ({ metric, value: [0, '1'] as [number, string] });

  it('reads group_by per instance; an agent from before --group-by grouped by comm', () => {
    const g = groupingByInstance([
      sample({ instance: 'a', group_by: 'cgroup' }),
      sample({ instance: 'b' }),
      sample({ group_by: 'user' }),
    ]);
    expect(g).toEqual(
      new Map([
        ['a', 'cgroup'],
        ['b', 'comm'],
      ]),
    );
  });

  it('says "groups by X" when hosts agree, "mixed" with the counts when they differ', () => {
    expect(
      describeGrouping(
        new Map([
          ['a', 'cgroup'],
          ['b', 'cgroup'],
        ]),
      ),
    ).toBe('groups by cgroup');
    expect(
      describeGrouping(
        new Map([
          ['a', 'cgroup'],
          ['b', 'comm'],
          ['c', 'cgroup'],
        ]),
      ),
    ).toBe('groups by mixed (cgroup on 2 hosts, comm on 1 host)');
    // Only the hosts shown count.
    expect(
      describeGrouping(
        new Map([
          ['a', 'cgroup'],
          ['b', 'comm'],
        ]),
        ['b'],
      ),
    ).toBe('groups by comm');
    expect(describeGrouping(new Map())).toBe('groups by (no host reports its grouping)');
  });
});
