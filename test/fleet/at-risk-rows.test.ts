import { atRiskProcessesOf, atRiskQueries, buildAtRiskRows, type AtRiskColumns } from '../../agent/fleet/at-risk-rows';

const m = (entries: Array<[string, string, number | null]>) =>
  new Map(entries.map(([i, c, v]) => [`${i}\0${c}`, v] as [string, number | null]));

describe('buildAtRiskRows', () => {
  const MiB = 1024 * 1024;
  const cols: AtRiskColumns = {
    usage: m([
      ['web1', 'app.service', 460 * MiB],
      ['web1', 'system.slice', 4096 * MiB],
      ['web2', 'app.service', 100 * MiB],
      ['db1', 'postgres.service', 1000 * MiB],
      ['db1', 'cron.service', 10 * MiB],
    ]),
    limit: m([
      ['web1', 'app.service', 500 * MiB],
      ['web2', 'app.service', 500 * MiB],
      ['db1', 'postgres.service', 4000 * MiB],
    ]),
    pressure: m([['db1', 'postgres.service', 0.25]]),
    kills: m([
      ['web2', 'app.service', 1.2],
      ['db1', 'cron.service', 0],
    ]),
    processes: m([['web1', 'app.service', 12]]),
  };

  it('at risk first (over % of limit or pressure), then by % used; unlimited cgroups without trouble left out', () => {
    const rows = buildAtRiskRows(cols, { usedPercent: 90, pressurePercent: 10 });
    expect(rows.map((r) => [r.instance, r.cgroup, r.at_risk])).toEqual([
      ['web1', 'app.service', true],
      ['db1', 'postgres.service', true],
      ['web2', 'app.service', false],
    ]);
    expect(rows[0]).toEqual({
      instance: 'web1',
      cgroup: 'app.service',
      usage_bytes: 460 * MiB,
      limit_bytes: 500 * MiB,
      used_percent: 92,
      pressure_full_percent: null,
      oom_kills_1h: 0,
      processes: 12,
      at_risk: true,
    });
    expect(rows[1]).toMatchObject({ used_percent: 25, pressure_full_percent: 25 });
    // increase() extrapolates: 1.2 kills is 1.
    expect(rows[2]).toMatchObject({ used_percent: 20, oom_kills_1h: 1, processes: null });
  });

  it('thresholds move the line', () => {
    const rows = buildAtRiskRows(cols, { usedPercent: 95, pressurePercent: 30 });
    expect(rows.filter((r) => r.at_risk)).toEqual([]);
  });

  it('queries read the cgroups families by host and cgroup', () => {
    const q = atRiskQueries('2m');
    expect(q.pressure).toContain('hostpulse_cgroup_memory_pressure_stall_seconds_total{kind="full"}[2m]');
    expect(q.kills).toContain('event="oom_kill"');
    expect(q.usage).toBe('max by (instance, cgroup) (hostpulse_cgroup_memory_usage_bytes)');
    // Only cgroups with a kill come back: a missing one counts 0 in the rows.
    expect(q.kills).toMatch(/\) > 0$/);
  });

  it("selects one host's cgroups in the store, and the process counts of just the rows shown", () => {
    for (const text of Object.values(atRiskQueries('2m', 'web-1'))) {
      expect(text).not.toMatch(/hostpulse_\w+(?!\w|\{instance="web-1")/);
    }
    expect(
      atRiskProcessesOf([
        { instance: 'web-1', cgroup: '/system.slice/a.service' },
        { instance: 'web-1', cgroup: '/kubepods' },
      ]),
    ).toBe(
      'max by (instance, group) (hostpulse_group_processes{instance=~"web-1",group=~"/system\\\\.slice/a\\\\.service|/kubepods"})',
    );
  });
});
