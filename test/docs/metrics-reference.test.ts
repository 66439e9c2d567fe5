import * as fs from 'fs';
import * as path from 'path';
import { GRAPHITE_PATHS } from '../../agent/sink/graphite/paths';
import { FamilySet } from '../../agent/metrics/families';
import { declaredFamilies, FAMILY_SOURCES, metricsReference } from '../../agent/metrics/reference';

const ROOT = path.join(__dirname, '..', '..');
const PAGE = path.join(ROOT, 'docs', 'metrics.md');

/** `npm run docs:metrics` sets it: write the page instead of comparing. */
const UPDATE = process.env.UPDATE_DOCS === '1';

const all = declaredFamilies().flatMap((g) => g.families);

describe('docs/metrics.md, the metrics reference', () => {
  it('is what the code declares (npm run docs:metrics regenerates it)', () => {
    const expected = metricsReference();
    if (UPDATE) fs.writeFileSync(PAGE, expected);
    expect(fs.readFileSync(PAGE, 'utf8')).toBe(expected);
  });

  it('lists each family once, with a help text, under the naming rules', () => {
    const names = all.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const f of all) {
      expect(f.name).toMatch(/^hostpulse_[a-z0-9_]+$/);
      expect(f.help.length).toBeGreaterThan(0);
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
    }
  });

  it('has a source for every FamilySet class of agent/metrics/*-metrics.ts', () => {
    const dir = path.join(ROOT, 'agent', 'metrics');
    const instances = FAMILY_SOURCES.map((s) => s.create());
    const classes: string[] = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('-metrics.ts'))) {
      const mod = require(path.join(dir, file)) as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports -- every module of a folder, by name
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value === 'function' && value.prototype instanceof FamilySet) {
          classes.push(name);
          expect([name, instances.some((i) => i instanceof value)]).toEqual([name, true]);
        }
      }
    }
    expect(classes.length).toBe(FAMILY_SOURCES.length);
  });

  it('holds the same families as the Graphite path table, which names every family the agent emits', () => {
    expect(all.map((f) => f.name).sort()).toEqual(Object.keys(GRAPHITE_PATHS).sort());
  });

  it('agrees with the golden exposition on every family it holds', () => {
    const golden = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'golden', 'once-fixture-proc.prom'), 'utf8');
    const types = new Map([...golden.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(types.size).toBeGreaterThan(10);
    const declared = new Map(all.map((f) => [f.name, f.type]));
    for (const [name, type] of types) expect([name, declared.get(name)]).toEqual([name, type]);
  });

  it('knows every family name the README and docs/ mention', () => {
    const pages = ['README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((p) =>
      p.endsWith('.md'),
    );
    const declared = new Set(all.map((f) => f.name));
    const unknown: string[] = [];
    for (const page of pages) {
      const text = fs.readFileSync(path.join(ROOT, page), 'utf8');
      // The families' namespaces (Ansible variables such as hostpulse_node are not metrics); a name after
      // a colon is part of a recording rule's (instance_group:hostpulse_group_cpu_percent:rate), not a family.
      for (const m of text.matchAll(
        /(?<![:\w])hostpulse_(?:process|group|host|oom|tcp|spool|agent)_[a-z0-9_]*[a-z0-9]\b/g,
      )) {
        // A counter's or gauge's series is named as its family: no suffix to strip.
        if (!declared.has(m[0])) unknown.push(`${page}: ${m[0]}`);
      }
    }
    expect([...new Set(unknown)]).toEqual([]);
  });
});
