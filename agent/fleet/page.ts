import type { Argv } from 'yargs';
import { UsageError } from '../errors';
import { nonNegative, positiveInteger } from './options';

/**
 * Paging of worst-first host lists (`fleet hosts`, `fleet unhealthy`): a
 * person asking a 10,000-host fleet gets the worst --limit rows and a footer
 * saying how many more there are and how to see them. Without --limit the
 * whole list comes back (scripts read JSON whole).
 */
export interface PageArgs {
  limit?: number;
  offset: number;
}

export function withPageOptions<T>(y: Argv<T>) {
  return y
    .option('limit', { alias: 'n', type: 'number', describe: 'at most this many rows, worst first (default: all)' })
    .option('offset', {
      type: 'number',
      default: 0,
      describe: 'skip this many rows first (with --limit: the next page)',
    });
}

export interface Page<T> {
  rows: T[];
  /** Rows before and after the page. */
  before: number;
  after: number;
}

export function pageOf<T>(rows: readonly T[], args: PageArgs): Page<T> {
  const offset = nonNegative(args.offset, '--offset');
  if (!Number.isInteger(offset)) throw new UsageError(`--offset: expected a whole number >= 0, got ${offset}`);
  const limit = args.limit === undefined ? rows.length : positiveInteger(args.limit, '-n/--limit');
  const shown = rows.slice(offset, offset + limit);
  return {
    rows: shown,
    before: Math.min(offset, rows.length),
    after: Math.max(0, rows.length - offset - shown.length),
  };
}

/** The table's last line when rows were left out, e.g. "... 9,980 more hosts (next page: --offset 20 --limit 20)". */
export function pageFooter(page: Page<unknown>, limit: number | undefined, noun: string): string {
  if (page.after === 0) return '';
  const next = page.before + page.rows.length;
  return `... ${page.after.toLocaleString('en-US')} more ${noun} (next page: --offset ${next}${limit === undefined ? '' : ` --limit ${limit}`})\n`;
}
