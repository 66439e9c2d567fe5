import { Counter, Gauge, Registry } from 'prom-client';
import { ExpositionRenderer, renderExposition, snapshot } from '../../agent/metrics/exposition';
import { CgroupMetrics } from '../../agent/metrics/cgroup-metrics';
import { TableFamily } from '../../agent/metrics/table-family';

/**
 * A TableFamily renders as prom-client renders the same series, and its
 * snapshot does not move when the writer's next cycle does.
 */
describe('TableFamily', () => {
  it('renders byte for byte as prom-client renders a gauge and a counter with the same series', async () => {
    const registry = new Registry();
    const g = new Gauge({ name: 'a_gauge', help: 'A "gauge" \\ here.', labelNames: ['cgroup'], registers: [registry] });
    const c = new Counter({
      name: 'b_total',
      help: 'A counter.',
      labelNames: ['cgroup', 'event'],
      registers: [registry],
    });
    const tg = new TableFamily('a_gauge', 'A "gauge" \\ here.', 'gauge', ['cgroup']);
    const tc = new TableFamily('b_total', 'A counter.', 'counter', ['cgroup', 'event']);
    const rows: Array<[string, number]> = [
      ['system.slice/nginx.service', 2 ** 40],
      ['quote " back \\ nl \n end', 1.5],
      ['pod:0123/héllo', 0],
    ];
    for (const [cgroup, v] of rows) {
      g.set({ cgroup }, v);
      tg.add(tg.series({ cgroup }), v);
      c.inc({ cgroup, event: 'oom_kill' }, v);
      tc.add(tc.series({ cgroup, event: 'oom_kill' }), v);
    }
    expect(renderExposition(await snapshot([tg, tc]))).toBe(await registry.metrics());
  });

  it('keeps a snapshot as it was when the series are written again, and makes a series only for a new value', async () => {
    const t = new TableFamily('x_bytes', 'X.', 'gauge', ['cgroup']);
    const values = async () => (await t.get()).values.map((v) => ({ labels: v.labels, value: v.value }));
    let s = t.series({ cgroup: 'a' });
    s = t.add(s, 1);
    const before = await t.get();
    t.reset();
    s = t.add(s, 2);
    expect(before.values.map((v) => v.value)).toEqual([1]);
    expect(await values()).toEqual([{ labels: { cgroup: 'a' }, value: 2 }]);
    t.reset();
    expect(t.add(s, 2)).toBe(s);
    t.reset();
    expect(await values()).toEqual([]);
  });

  it('a renderer kept across cycles copies an unchanged family and renders a changed one afresh', async () => {
    const renderer = new ExpositionRenderer();
    const limit = new TableFamily('limit_bytes', 'Limit.', 'gauge', ['cgroup']);
    const usage = new TableFamily('usage_bytes', 'Usage.', 'gauge', ['cgroup']);
    const series = {
      a: limit.series({ cgroup: 'a' }),
      b: limit.series({ cgroup: 'b' }),
      u: usage.series({ cgroup: 'a' }),
    };
    const cycles: Array<{ a?: number; b?: number; u: number }> = [
      { a: 1, b: 2, u: 10 },
      { a: 1, b: 2, u: 11 }, // the limits as they were: the same list, copied
      { a: 1, b: 3, u: 11 }, // one limit moved
      { a: 1, u: 11 }, // a cgroup lost its limit: fewer series
      { a: 1, b: 3, u: 12 }, // ... and has it again
      { u: 12 }, // none
      { a: 1, b: 3, u: 12 },
    ];
    let lastValues: unknown;
    for (const [i, c] of cycles.entries()) {
      limit.reset();
      usage.reset();
      if (c.a !== undefined) series.a = limit.add(series.a, c.a);
      if (c.b !== undefined) series.b = limit.add(series.b, c.b);
      series.u = usage.add(series.u, c.u);
      const snap = await snapshot([limit, usage]);
      // What a renderer with no past renders, and prom-client (the first test) with it.
      expect(renderer.render(snap).toString('utf8')).toBe(renderExposition(snap));
      if (i === 1) expect(snap[0].values).toBe(lastValues);
      lastValues = snap[0].values;
    }
  });

  it('refuses labels other than its label names, in their order, and a bad metric name', () => {
    const t = new TableFamily('x_bytes', 'X.', 'gauge', ['cgroup', 'kind']);
    expect(() => t.series({ cgroup: 'a' })).toThrow(/cgroup,kind/);
    expect(() => t.series({ kind: 'anon', cgroup: 'a' })).toThrow(/cgroup,kind/);
    expect(() => new TableFamily('bad-name', 'X.', 'gauge', [])).toThrow(/invalid metric name/);
  });
});

describe('CgroupMetrics.write', () => {
  const text = async (m: CgroupMetrics): Promise<string[]> =>
    renderExposition(await snapshot(m.families))
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'));

  it("replaces the last cycle's series whole: a cgroup gone, a limit lifted and an event total are as written", async () => {
    const m = new CgroupMetrics();
    m.write(
      [
        { name: 'a.service', usageBytes: 10, limitBytes: 100, anonBytes: 4, fileBytes: 6, events: {} },
        { name: 'b.service', usageBytes: 20, events: {} },
      ],
      new Map([['a.service', new Map([['oom_kill', 1]])]]),
    );
    expect(await text(m)).toEqual([
      'hostpulse_cgroup_memory_usage_bytes{cgroup="a.service"} 10',
      'hostpulse_cgroup_memory_usage_bytes{cgroup="b.service"} 20',
      'hostpulse_cgroup_memory_limit_bytes{cgroup="a.service"} 100',
      'hostpulse_cgroup_memory_stat_bytes{cgroup="a.service",kind="anon"} 4',
      'hostpulse_cgroup_memory_stat_bytes{cgroup="a.service",kind="file"} 6',
      'hostpulse_cgroup_memory_events_total{cgroup="a.service",event="oom_kill"} 1',
    ]);
    m.write(
      [{ name: 'a.service', usageBytes: 11, events: {} }],
      new Map([
        ['a.service', new Map([['oom_kill', 2]])],
        ['other', new Map([['max', 3]])],
      ]),
    );
    expect(await text(m)).toEqual([
      'hostpulse_cgroup_memory_usage_bytes{cgroup="a.service"} 11',
      'hostpulse_cgroup_memory_events_total{cgroup="a.service",event="oom_kill"} 2',
      'hostpulse_cgroup_memory_events_total{cgroup="other",event="max"} 3',
    ]);
  });
});
