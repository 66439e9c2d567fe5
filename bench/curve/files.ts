import * as fs from 'fs';
import * as path from 'path';
import { renderSvg } from './chart';
import type { CurveRecord } from './record';
import { renderMarkdown } from './table';

/**
 * The committed curve: docs/bench/cost-curve.{json,md,svg}, the chart in the README and
 * the chart and its table in docs/benchmark.md, each between these markers (empty until
 * the first run, so no page links a chart that is not there).
 */
export const CURVE_BASENAME = 'cost-curve';
export const CURVE_BEGIN = '<!-- cost curve: written by `npm run bench -- --curve`, do not edit -->';
export const CURVE_END = '<!-- end of cost curve -->';
const ALT =
  'CPU per cycle and steady RSS against the number of processes: hostpulse, a C floor that only reads /proc/*/stat, process-exporter and node_exporter';

/** What the README and docs/benchmark.md show between the markers. */
export function pageBlocks(md: string): { readme: string; page: string } {
  return {
    readme: `![${ALT}](docs/bench/${CURVE_BASENAME}.svg)\n`,
    page: `![${ALT}](bench/${CURVE_BASENAME}.svg)\n\n${md}`,
  };
}

export interface CurveFiles {
  json: string;
  md: string;
  svg: string;
}

/** What the three files hold for a record: the markdown table and the chart both come from the JSON alone. */
export async function curveFiles(r: CurveRecord): Promise<CurveFiles> {
  return { json: JSON.stringify(r, null, 2) + '\n', md: renderMarkdown(r), svg: await renderSvg(r) };
}

/** `page` with the text between the markers replaced by `block`; throws when the markers are missing. */
export function spliceCurve(page: string, block: string): string {
  const begin = page.indexOf(CURVE_BEGIN);
  const end = page.indexOf(CURVE_END);
  if (begin < 0 || end < begin) throw new Error(`the page has no "${CURVE_BEGIN}" ... "${CURVE_END}" section`);
  return page.slice(0, begin + CURVE_BEGIN.length) + '\n' + block + page.slice(end);
}

/** The text between the markers of `page`. */
export function curveBlock(page: string): string {
  const begin = page.indexOf(CURVE_BEGIN);
  const end = page.indexOf(CURVE_END);
  if (begin < 0 || end < begin) throw new Error(`the page has no "${CURVE_BEGIN}" ... "${CURVE_END}" section`);
  return page.slice(begin + CURVE_BEGIN.length + 1, end);
}

/**
 * Writes <dir>/cost-curve.{json,md,svg}; with `pages`, also rewrites their sections
 * (the chart in the README, the chart and the table in the docs page). Returns the paths written.
 */
export async function writeCurveFiles(
  r: CurveRecord,
  dir: string,
  pages?: { readme: string; page: string },
): Promise<string[]> {
  const files = await curveFiles(r);
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const ext of ['json', 'md', 'svg'] as const) {
    const file = path.join(dir, `${CURVE_BASENAME}.${ext}`);
    fs.writeFileSync(file, files[ext]);
    written.push(file);
  }
  if (pages !== undefined) {
    const blocks = pageBlocks(files.md);
    for (const key of ['readme', 'page'] as const) {
      fs.writeFileSync(pages[key], spliceCurve(fs.readFileSync(pages[key], 'utf8'), blocks[key]));
      written.push(pages[key]);
    }
  }
  return written;
}
