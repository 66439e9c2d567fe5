import * as fs from 'fs';
import * as path from 'path';
import { renderSvg } from './chart';
import type { CurveRecord } from './record';
import { renderMarkdown } from './table';

/** The committed curve: docs/bench/cost-curve.{json,md,svg}, and its table inside docs/benchmark.md. */
export const CURVE_BASENAME = 'cost-curve';
export const TABLE_BEGIN = '<!-- cost-curve table: written by `npm run bench -- --curve`, do not edit -->';
export const TABLE_END = '<!-- end of cost-curve table -->';

export interface CurveFiles {
  json: string;
  md: string;
  svg: string;
}

/** What the three files hold for a record: the markdown table and the chart both come from the JSON alone. */
export async function curveFiles(r: CurveRecord): Promise<CurveFiles> {
  return { json: JSON.stringify(r, null, 2) + '\n', md: renderMarkdown(r), svg: await renderSvg(r) };
}

/** `page` with the text between the table markers replaced by `table`; throws when the markers are missing. */
export function spliceTable(page: string, table: string): string {
  const begin = page.indexOf(TABLE_BEGIN);
  const end = page.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`the page has no "${TABLE_BEGIN}" ... "${TABLE_END}" section`);
  return page.slice(0, begin + TABLE_BEGIN.length) + '\n' + table + page.slice(end);
}

/** Writes <dir>/cost-curve.{json,md,svg}; with `page`, also rewrites its table section. Returns the paths written. */
export async function writeCurveFiles(r: CurveRecord, dir: string, page?: string): Promise<string[]> {
  const files = await curveFiles(r);
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const ext of ['json', 'md', 'svg'] as const) {
    const file = path.join(dir, `${CURVE_BASENAME}.${ext}`);
    fs.writeFileSync(file, files[ext]);
    written.push(file);
  }
  if (page !== undefined) {
    fs.writeFileSync(page, spliceTable(fs.readFileSync(page, 'utf8'), files.md));
    written.push(page);
  }
  return written;
}
