import { buildGroupRows, GroupColumns } from '../../agent/fleet/group-rows';

const m = (o: Record<string, number | null>) => new Map(Object.entries(o));

describe('buildGroupRows', () => {
  const cols: GroupColumns = {
    hosts: m({ node: 3, sshd: 3, postgres: 1 }),
    // node runs on 3 hosts but only 1 is healthy; the healthy-count query has no row for a group with none.
    healthyHosts: m({ node: 1, sshd: 3 }),
    memoryAvg: m({ node: 200e6 + 0.4, sshd: 4e6, postgres: 900e6 }),
    memoryMax: m({ node: 300e6, sshd: 5e6, postgres: 900e6 }),
    cpuAvg: m({ node: 12.34, sshd: 0 }),
    cpuMax: m({ node: 30, sshd: 0.1 }),
  };

  it('flags groups on fewer healthy hosts than --min-hosts and lists them first', () => {
    const rows = buildGroupRows(cols, 2);
    expect(rows.map((r) => [r.group, r.below_min_hosts])).toEqual([
      ['postgres', true],
      ['node', true],
      ['sshd', false],
    ]);
    expect(rows[0]).toEqual({
      group: 'postgres',
      hosts: 1,
      healthy_hosts: 0,
      memory_avg_bytes: 900e6,
      memory_max_bytes: 900e6,
      cpu_avg_percent: null,
      cpu_max_percent: null,
      below_min_hosts: true,
    });
    expect(rows[1]).toMatchObject({ memory_avg_bytes: 200e6, cpu_avg_percent: 12.3, healthy_hosts: 1 });
  });

  it('with --min-hosts 1 only groups with no healthy host are flagged', () => {
    expect(
      buildGroupRows(cols, 1)
        .filter((r) => r.below_min_hosts)
        .map((r) => r.group),
    ).toEqual(['postgres']);
  });
});
