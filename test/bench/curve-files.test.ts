import * as fs from 'fs';
import * as path from 'path';
import { chartSpec } from '../../bench/curve/chart';
import { CURVE_BASENAME, curveFiles, spliceTable } from '../../bench/curve/files';
import type { CurveRecord } from '../../bench/curve/record';
import { curveRows } from '../../bench/curve/table';

const ROOT = path.join(__dirname, '..', '..');
const DIR = path.join(ROOT, 'docs', 'bench');
const PAGE = path.join(ROOT, 'docs', 'benchmark.md');
const file = (ext: string): string => path.join(DIR, `${CURVE_BASENAME}.${ext}`);

/**
 * The committed curve (written by `npm run bench -- --curve`): the chart and both copies
 * of its table are what the committed JSON renders to, so the picture cannot drift from
 * the numbers. UPDATE_CURVE=1 rewrites them from the JSON (after a change to the rendering).
 */
describe('docs/bench/cost-curve: the chart and the table are the JSON, rendered', () => {
  const record = JSON.parse(fs.readFileSync(file('json'), 'utf8')) as CurveRecord;
  let rendered: Awaited<ReturnType<typeof curveFiles>>;

  beforeAll(async () => {
    rendered = await curveFiles(record);
    if (process.env.UPDATE_CURVE === '1') {
      fs.writeFileSync(file('md'), rendered.md);
      fs.writeFileSync(file('svg'), rendered.svg);
      fs.writeFileSync(PAGE, spliceTable(fs.readFileSync(PAGE, 'utf8'), rendered.md));
    }
  });

  it('the JSON is a whole curve: every point has hostpulse, and the floor when a compiler was there', () => {
    expect(record.tool).toBe('hostpulse-bench-curve');
    expect(record.points.length).toBeGreaterThan(0);
    for (const p of record.points) {
      expect(p.agent.cpuMs).toBeGreaterThan(0);
      expect(p.floor === null).toBe('missing' in record.tools.floor);
    }
    // The JSON was written by the same serialiser: a hand edit shows as a diff here.
    expect(rendered.json).toBe(fs.readFileSync(file('json'), 'utf8'));
  });

  it("the chart's data are exactly the JSON's numbers", () => {
    const values = (chartSpec(record) as unknown as { data: { values: unknown[] } }).data.values;
    expect(values).toEqual(curveRows(record));
    expect(values).toHaveLength(
      record.points.reduce(
        (n, p) => n + [p.agent, p.baseline, p.floor, p.processExporter, p.nodeExporter].filter(Boolean).length,
        0,
      ),
    );
  });

  it('the committed SVG is the chart of the JSON (regenerate: UPDATE_CURVE=1)', () => {
    expect(fs.readFileSync(file('svg'), 'utf8')).toBe(rendered.svg);
  });

  it('the committed markdown table and the one in docs/benchmark.md are the table of the JSON', () => {
    expect(fs.readFileSync(file('md'), 'utf8')).toBe(rendered.md);
    const page = fs.readFileSync(PAGE, 'utf8');
    expect(spliceTable(page, rendered.md)).toBe(page);
  });
});
