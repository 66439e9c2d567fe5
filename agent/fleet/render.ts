import { GroupRow } from './group-rows';
import { GroupHostRow } from './group-host-rows';
import { OomLine } from './oom-rows';
import { fmtSeconds, HostRow } from './host-rows';
import { ProcessRow } from './process-rows';
import { Column, fmtBytes, fmtNumber, fmtPercent, formatTable } from './table';

/** How each kind of row looks as a table, and the one JSON form. Pure: rows in, text out. */
export type OutputFormat = 'table' | 'json';

export const HOST_COLUMNS: Column<HostRow>[] = [
  { header: 'INSTANCE', cell: (r) => r.instance },
  { header: 'STATUS', cell: (r) => r.status },
  { header: 'CPU', cell: (r) => fmtPercent(r.cpu_percent), align: 'right' },
  { header: 'MEMORY', cell: (r) => fmtPercent(r.memory_percent), align: 'right' },
  { header: 'OOM/1H', cell: (r) => fmtNumber(r.oom_kills_1h), align: 'right' },
  {
    header: 'LAST PUSH',
    cell: (r) => (r.last_push_age_seconds === null ? '-' : `${fmtSeconds(r.last_push_age_seconds)} ago`),
    align: 'right',
  },
];

const REASONS_COLUMN: Column<HostRow> = { header: 'REASONS', cell: (r) => r.reasons.join('; ') };

export const PROCESS_COLUMNS: Column<ProcessRow>[] = [
  { header: 'PID', cell: (r) => String(r.pid), align: 'right' },
  { header: 'COMM', cell: (r) => r.comm },
  { header: 'RSS', cell: (r) => fmtBytes(r.rss_bytes), align: 'right' },
  { header: 'CPU', cell: (r) => fmtPercent(r.cpu_percent), align: 'right' },
];

export const GROUP_COLUMNS: Column<GroupRow>[] = [
  { header: 'GROUP', cell: (r) => r.group },
  { header: 'HOSTS', cell: (r) => String(r.hosts), align: 'right' },
  { header: 'HEALTHY', cell: (r) => String(r.healthy_hosts), align: 'right' },
  { header: 'MEM AVG', cell: (r) => fmtBytes(r.memory_avg_bytes), align: 'right' },
  { header: 'MEM MAX', cell: (r) => fmtBytes(r.memory_max_bytes), align: 'right' },
  { header: 'CPU AVG', cell: (r) => fmtPercent(r.cpu_avg_percent), align: 'right' },
  { header: 'CPU MAX', cell: (r) => fmtPercent(r.cpu_max_percent), align: 'right' },
  { header: 'FLAG', cell: (r) => (r.below_min_hosts ? 'below --min-hosts' : '') },
];

export const OOM_COLUMNS: Column<OomLine>[] = [
  { header: 'INSTANCE', cell: (r) => r.instance },
  { header: 'KILLS', cell: (r) => r.kills, align: 'right' },
  { header: 'COMM', cell: (r) => r.comm },
  { header: 'CONSTRAINT', cell: (r) => r.constraint },
  { header: 'VICTIM KILLS', cell: (r) => r.victim_kills, align: 'right' },
  { header: 'LAST RSS', cell: (r) => fmtBytes(r.last_rss_bytes), align: 'right' },
];

export function renderRows<T>(format: OutputFormat, columns: Column<T>[], rows: T[], empty: string): string {
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  return rows.length === 0 ? `${empty}\n` : formatTable(columns, rows);
}

export function renderHosts(format: OutputFormat, rows: HostRow[], withReasons = false): string {
  return renderRows(format, withReasons ? [...HOST_COLUMNS, REASONS_COLUMN] : HOST_COLUMNS, rows, 'no hosts');
}

/** `fleet group NAME`: one row per host running the group. */
export const GROUP_HOST_COLUMNS: Column<GroupHostRow>[] = [
  { header: 'INSTANCE', cell: (r) => r.instance },
  { header: 'STATUS', cell: (r) => r.status },
  { header: 'PROCS', cell: (r) => fmtNumber(r.processes), align: 'right' },
  { header: 'RSS', cell: (r) => fmtBytes(r.rss_bytes), align: 'right' },
  { header: 'CPU', cell: (r) => fmtPercent(r.cpu_percent), align: 'right' },
  { header: 'GROUP BY', cell: (r) => r.group_by ?? '-' },
  { header: 'REASONS', cell: (r) => r.reasons.join('; ') },
];
