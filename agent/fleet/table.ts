/**
 * A small aligned-table formatter (no dependency): a header row, then one line
 * per row, columns separated by two spaces, numbers right-aligned. Pure.
 */
export interface Column<T> {
  header: string;
  cell(row: T): string;
  align?: 'left' | 'right';
}

export function formatTable<T>(columns: Column<T>[], rows: T[]): string {
  const cells = rows.map((r) => columns.map((c) => sanitize(c.cell(r))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (columns[i].align === 'right' ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n') + '\n';
}

/** Control characters in a label value (a comm can hold anything) must not move the cursor. */
function sanitize(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it replaces
  return s.replace(/[\u0000-\u001f\u007f]/g, '?');
}

export function fmtBytes(b: number | null): string {
  if (b === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function fmtPercent(p: number | null): string {
  return p === null ? '-' : `${p.toFixed(1)}%`;
}

export function fmtNumber(n: number | null): string {
  return n === null ? '-' : String(n);
}
