import type { SampleErrorSink } from '../types';
import { splitColumns } from '../command/columns';

/** One process row of a top table, keyed by the header's column names. */
export type TopRow = Record<string, string>;

/**
 * The process table of one top frame: the header line (first column PID, a
 * COMMAND column) and the rows under it, up to the next blank line. COMMAND may
 * hold spaces: when it is the last column it is the rest of the line; when it
 * is not (macOS top's default layout), it is cut at the header's column
 * positions, which top left-aligns. Summary lines above the header are skipped.
 * Returns undefined when there is no header.
 */
export function parseTopTable(
  text: string,
  onError: SampleErrorSink,
): { columns: string[]; rows: TopRow[] } | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^\s*PID\s/.test(l) && /\sCOMMAND(\s|$)/.test(l));
  if (at < 0) return undefined;
  const headerLine = lines[at];
  const columns = headerLine.trim().split(/\s+/);
  const commandIdx = columns.indexOf('COMMAND');
  const commandLast = commandIdx === columns.length - 1;
  const starts = [...headerLine.matchAll(/\S+/g)].map((m) => m.index ?? 0);
  const rows: TopRow[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') {
      if (rows.length > 0) break; // end of this frame's table
      continue;
    }
    const cells = commandLast
      ? lastCommand(line, columns.length)
      : middleCommand(line, commandIdx, starts, columns.length);
    if (!cells) {
      onError('top_malformed_line', line);
      continue;
    }
    const row: TopRow = {};
    columns.forEach((c, i) => (row[c] = cells[i]!));
    rows.push(row);
  }
  return { columns, rows };
}

/** A top whose table lacks the columns the parser needs is misconfigured, not a transient: throw. */
export function requireColumns(what: string, columns: string[] | undefined, needed: string[]): void {
  if (!columns) throw new Error(`${what}: no process table (no header line with PID and COMMAND) in its output`);
  const missing = needed.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new Error(`${what}: process table lacks column(s) ${missing.join(', ')} (header: ${columns.join(' ')})`);
  }
}

function lastCommand(line: string, n: number): string[] | undefined {
  const r = splitColumns(line, n - 1);
  return r && [...r.cols, r.rest];
}

function middleCommand(line: string, idx: number, starts: number[], n: number): string[] | undefined {
  const from = starts[idx];
  const to = starts[idx + 1] ?? line.length;
  const command = line.slice(from, to).trim();
  const others = `${line.slice(0, from)} ${line.slice(to)}`.trim().split(/\s+/);
  if (command === '' || others.length < n - 1) return undefined;
  return [...others.slice(0, idx), command, ...others.slice(idx, n - 1)];
}
