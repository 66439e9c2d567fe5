import {
  buildHostRows,
  HostColumns,
  hostStatus,
  sortWorstFirst,
  HostRow,
  fmtSeconds,
} from '../../agent/fleet/host-rows';

const T = { cpuPercent: 90, memoryPercent: 90 };

function cols(entries: Record<string, Partial<Record<keyof HostColumns, number | null>>>): HostColumns {
  const c: HostColumns = {
    interval: new Map(),
    pushAge: new Map(),
    cpu: new Map(),
    memory: new Map(),
    oomKills: new Map(),
  };
  for (const [inst, vals] of Object.entries(entries)) {
    for (const [k, v] of Object.entries(vals)) c[k as keyof HostColumns].set(inst, v ?? null);
  }
  return c;
}

describe('hostStatus', () => {
  it('is ok under both thresholds with a fresh push', () => {
    expect(hostStatus({ interval: 10, pushAge: 5, cpu: 50, memory: 60 }, T)).toEqual({ status: 'ok', reasons: [] });
  });

  it('is unhealthy over a threshold, naming each one', () => {
    const s = hostStatus({ interval: 10, pushAge: 5, cpu: 95.04, memory: 91 }, T);
    expect(s.status).toBe('unhealthy');
    expect(s.reasons).toEqual(['cpu: 95.0% > 90%', 'memory: 91.0% > 90%']);
  });

  it('treats a value equal to the threshold as ok ("over" means strictly greater)', () => {
    expect(hostStatus({ interval: 10, pushAge: 5, cpu: 90, memory: 90 }, T).status).toBe('ok');
  });

  it('is stale when the last push is older than 3 of its own intervals, and stale wins', () => {
    expect(hostStatus({ interval: 10, pushAge: 30, cpu: null, memory: 50 }, T).status).toBe('ok');
    const s = hostStatus({ interval: 10, pushAge: 31, cpu: null, memory: 95 }, T);
    expect(s.status).toBe('stale');
    expect(s.reasons[0]).toMatch(/^stale: last push 31s ago, over 3 x 10s interval$/);
    expect(s.reasons[1]).toMatch(/^memory:/);
  });

  it('does not call a host unhealthy for a column it cannot measure yet', () => {
    expect(
      hostStatus({ interval: null, pushAge: null, cpu: null, memory: null }, { cpuPercent: 0, memoryPercent: 0 })
        .status,
    ).toBe('ok');
  });

  it('with thresholds 0 every measured host is unhealthy', () => {
    expect(
      hostStatus({ interval: 1, pushAge: 1, cpu: 0.5, memory: 12 }, { cpuPercent: 0, memoryPercent: 0 }).status,
    ).toBe('unhealthy');
  });
});

describe('buildHostRows', () => {
  it('makes one row per instance that reports an interval, rounding and clamping values', () => {
    const rows = buildHostRows(
      cols({
        'host-a': { interval: 1, pushAge: 0.43, cpu: 12.345, memory: 40.04, oomKills: 0 },
        'host-b': { interval: 1, pushAge: -0.2, cpu: null, memory: 95.5, oomKills: 2.0000001 },
        // Present in other families but not pushing hostpulse_agent_interval_seconds: not a hostpulse host.
      }),
      T,
    );
    const other = cols({ stray: { pushAge: 3, memory: 1 } });
    expect(buildHostRows({ ...other, interval: new Map() }, T)).toEqual([]);
    expect(rows).toEqual([
      {
        instance: 'host-b',
        status: 'unhealthy',
        reasons: ['memory: 95.5% > 90%'],
        cpu_percent: null,
        memory_percent: 95.5,
        oom_kills_1h: 2,
        last_push_age_seconds: 0,
      },
      {
        instance: 'host-a',
        status: 'ok',
        reasons: [],
        cpu_percent: 12.3,
        memory_percent: 40,
        oom_kills_1h: 0,
        last_push_age_seconds: 0.4,
      },
    ]);
  });

  it('leaves columns with no answer as null', () => {
    const [row] = buildHostRows(cols({ h: { interval: 5 } }), T);
    expect(row).toMatchObject({
      cpu_percent: null,
      memory_percent: null,
      oom_kills_1h: null,
      last_push_age_seconds: null,
    });
  });
});

describe('sortWorstFirst', () => {
  const row = (
    instance: string,
    status: HostRow['status'],
    cpu: number | null,
    mem: number | null,
    age = 1,
  ): HostRow => ({
    instance,
    status,
    reasons: [],
    cpu_percent: cpu,
    memory_percent: mem,
    oom_kills_1h: 0,
    last_push_age_seconds: age,
  });

  it('puts stale (longest silent first), then unhealthy, then ok by load, then name', () => {
    const sorted = sortWorstFirst([
      row('ok-low', 'ok', 10, 20),
      row('ok-high', 'ok', 5, 80),
      row('un', 'unhealthy', 95, 10),
      row('stale-new', 'stale', null, 10, 40),
      row('stale-old', 'stale', null, 10, 400),
      row('ok-b', 'ok', null, null),
      row('ok-a', 'ok', null, null),
    ]);
    expect(sorted.map((r) => r.instance)).toEqual([
      'stale-old',
      'stale-new',
      'un',
      'ok-high',
      'ok-low',
      'ok-a',
      'ok-b',
    ]);
  });
});

describe('fmtSeconds', () => {
  it.each([
    [0.43, '0.4s'],
    [42, '42s'],
    [125, '2m05s'],
    [7300, '2h01m'],
    [200000, '2d'],
  ])('%p -> %p', (s, text) => expect(fmtSeconds(s)).toBe(text));
});
