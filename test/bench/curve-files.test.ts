import * as fs from 'fs';
import * as path from 'path';
import { chartSpec } from '../../bench/curve/chart';
import { CURVE_BASENAME, curveBlock, curveFiles, pageBlocks, spliceCurve } from '../../bench/curve/files';
import type { CurveRecord } from '../../bench/curve/record';
import { curveRows } from '../../bench/curve/table';

const ROOT = path.join(__dirname, '..', '..');
const DIR = path.join(ROOT, 'docs', 'bench');
const PAGES = { readme: path.join(ROOT, 'README.md'), page: path.join(ROOT, 'docs', 'benchmark.md') };
const file = (ext: string): string => path.join(DIR, `${CURVE_BASENAME}.${ext}`);

/**
 * The committed curve (written by `npm run bench -- --curve`): the chart and the table,
 * in docs/bench/ and in the pages, are what the committed JSON renders to, so the picture
 * cannot drift from the numbers. UPDATE_CURVE=1 rewrites them from the JSON (after a
 * change to the rendering).
 */
describe('docs/bench/cost-curve: the chart and the table are the JSON, rendered', () => {
  let record: CurveRecord;
  let rendered: Awaited<ReturnType<typeof curveFiles>>;

  beforeAll(async () => {
    record = JSON.parse(fs.readFileSync(file('json'), 'utf8')) as CurveRecord;
    rendered = await curveFiles(record);
    if (process.env.UPDATE_CURVE === '1') {
      fs.writeFileSync(file('md'), rendered.md);
      fs.writeFileSync(file('svg'), rendered.svg);
      const blocks = pageBlocks(rendered.md);
      for (const key of ['readme', 'page'] as const)
        fs.writeFileSync(PAGES[key], spliceCurve(fs.readFileSync(PAGES[key], 'utf8'), blocks[key]));
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
    const costs = record.points.flatMap((p) => [p.agent, p.baseline, p.floor, p.processExporter, p.nodeExporter]);
    expect(values).toHaveLength(costs.filter((c) => c !== null).length);
  });

  it('the committed SVG is the chart of the JSON (regenerate: UPDATE_CURVE=1)', () => {
    expect(fs.readFileSync(file('svg'), 'utf8')).toBe(rendered.svg);
  });

  it('the committed markdown table, the one in docs/benchmark.md and the README chart are those of the JSON', () => {
    expect(fs.readFileSync(file('md'), 'utf8')).toBe(rendered.md);
    const blocks = pageBlocks(rendered.md);
    expect(curveBlock(fs.readFileSync(PAGES.page, 'utf8'))).toBe(blocks.page);
    expect(curveBlock(fs.readFileSync(PAGES.readme, 'utf8'))).toBe(blocks.readme);
  });
});
