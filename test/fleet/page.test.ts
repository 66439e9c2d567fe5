import { UsageError } from '../../agent/errors';
import { pageFooter, pageOf } from '../../agent/fleet/page';

describe('paging worst-first host lists', () => {
  const rows = Array.from({ length: 10_000 }, (_, i) => i);

  it('gives every row without --limit', () => {
    expect(pageOf(rows, { offset: 0 })).toEqual({ rows, before: 0, after: 0 });
    expect(pageFooter(pageOf(rows, { offset: 0 }), undefined, 'hosts')).toBe('');
  });

  it('gives the worst --limit rows and says how to see the next page', () => {
    const first = pageOf(rows, { limit: 20, offset: 0 });
    expect(first.rows).toEqual(rows.slice(0, 20));
    expect(pageFooter(first, 20, 'hosts')).toBe('... 9,980 more hosts (next page: --offset 20 --limit 20)\n');
    const last = pageOf(rows, { limit: 20, offset: 9_990 });
    expect(last.rows).toEqual(rows.slice(9_990));
    expect(pageFooter(last, 20, 'hosts')).toBe('');
    expect(pageOf(rows, { limit: 5, offset: 20_000 })).toEqual({ rows: [], before: 10_000, after: 0 });
  });

  it('refuses a bad --limit or --offset as a usage error', () => {
    expect(() => pageOf(rows, { limit: 0, offset: 0 })).toThrow(UsageError);
    expect(() => pageOf(rows, { offset: -1 })).toThrow(/--offset/);
    expect(() => pageOf(rows, { offset: 1.5 })).toThrow(/--offset/);
  });
});
