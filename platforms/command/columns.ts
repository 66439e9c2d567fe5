/**
 * Split a line into `fixed` whitespace-separated columns and the rest of the
 * line, which is the last column (comm/COMMAND may hold spaces). Undefined
 * when the line has fewer columns: a truncated line.
 */
export function splitColumns(line: string, fixed: number): { cols: string[]; rest: string } | undefined {
  const cols: string[] = [];
  let i = 0;
  for (let c = 0; c < fixed; c++) {
    while (i < line.length && /\s/.test(line[i])) i++;
    const start = i;
    while (i < line.length && !/\s/.test(line[i])) i++;
    if (i === start) return undefined;
    cols.push(line.slice(start, i));
  }
  // One separator between the last fixed column and the rest; comm itself is kept whole.
  const rest = line.slice(i).replace(/^\s+/, '').replace(/\s+$/, '');
  if (rest === '') return undefined;
  return { cols, rest };
}

/** A non-negative integer column, or undefined. */
export function parseCount(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
