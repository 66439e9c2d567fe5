import { Registry } from 'prom-client';
import { renderExposition, snapshot } from '../../agent/metrics/exposition';
import { FamilySet } from '../../agent/metrics/families';
import { HostMetrics } from '../../agent/metrics/host-metrics';
import { ProcessMetrics } from '../../agent/metrics/process-metrics';
import { TableFamily } from '../../agent/metrics/table-family';

/**
 * FamilySet.families is the readable list the metrics reference is built from:
 * name, help, type and label names as declared. prom-client keeps these as fields
 * it does not declare in its types, so this pins them across upgrades.
 */
describe('FamilySet.families: readable definitions', () => {
  it('gives name, help, type and label names as declared, in declaration order', () => {
    const set = new FamilySet();
    set.gauge('a_bytes', 'Help of a.', ['pid', 'comm']);
    set.counter('b_total', 'Help of b.');
    expect(set.families.map(({ name, help, type, labelNames }) => ({ name, help, type, labelNames }))).toEqual([
      { name: 'a_bytes', help: 'Help of a.', type: 'gauge', labelNames: ['pid', 'comm'] },
      { name: 'b_total', help: 'Help of b.', type: 'counter', labelNames: [] },
    ]);
  });

  it('holds for the agent families too (every one a gauge or a counter, names unique)', () => {
    const all = [...new ProcessMetrics().families, ...new HostMetrics().families];
    for (const f of all) {
      expect(f.name).toMatch(/^hostpulse_[a-z0-9_]+$/);
      expect(f.help.length).toBeGreaterThan(0);
      expect(['gauge', 'counter']).toContain(f.type);
      expect(Array.isArray(f.labelNames)).toBe(true);
    }
    expect(new Set(all.map((f) => f.name)).size).toBe(all.length);
  });

  it('renders, through the snapshot every sink reads, what prom-client itself renders', async () => {
    const m = new ProcessMetrics();
    m.write({
      processes: [
        { pid: 7, ppid: 1, comm: 'a "b"', rssBytes: 1, vszBytes: 2, cpuUserSeconds: 0.5, cpuSystemSeconds: 0 },
      ],
      top: [{ pid: 7, ppid: 1, comm: 'a "b"', rssBytes: 1, vszBytes: 2, cpuUserSeconds: 0.5, cpuSystemSeconds: 0 }],
      processFields: new Set(['rss', 'vsz', 'cpu']),
      groups: new Map([
        ['a', { processes: 1, rssBytes: 1, cpuUserSeconds: 0.5, cpuSystemSeconds: 0, cpuTotalSeconds: 0 }],
      ]),
      samplerName: 'procfs',
      sampleSeconds: 0.01,
    });
    const registry = new Registry();
    for (const f of m.families) if (!(f instanceof TableFamily)) registry.registerMetric(f);
    const snap = await snapshot(m.families);
    expect(snap.map((f) => f.type)).toEqual(m.families.map((f) => f.type));
    expect(renderExposition(snap)).toBe(await registry.metrics());
  });
});
