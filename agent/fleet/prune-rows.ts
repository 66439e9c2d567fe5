import type { GatewayGroup } from '../sink/pushgateway-groups';
import { fmtSeconds } from './host-rows';
import type { OutputFormat } from './render';
import { formatTable, type Column } from './table';

/** One stale Pushgateway group as `fleet prune` prints it. */
export interface PruneRow {
  /** The grouping key, job first (what a DELETE names). */
  group: Record<string, string>;
  /** Seconds since its last good push; null when it never had one. */
  last_push_age_seconds: number | null;
  /** With --yes: whether the gateway accepted the DELETE (and why not). */
  deleted?: boolean;
  error?: string;
}

/** Pure: the stale groups at `nowMs` as rows. */
export function pruneRows(groups: readonly GatewayGroup[], nowMs: number): PruneRow[] {
  return groups.map((g) => ({
    group: { job: g.labels.job ?? '', ...g.labels },
    last_push_age_seconds:
      g.lastPushSeconds === undefined ? null : Math.max(0, Math.round(nowMs / 1000 - g.lastPushSeconds)),
  }));
}

const COLUMNS: Column<PruneRow>[] = [
  {
    header: 'GROUP',
    cell: (r) =>
      Object.entries(r.group)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
  },
  {
    header: 'LAST PUSH',
    cell: (r) => (r.last_push_age_seconds === null ? 'never' : `${fmtSeconds(r.last_push_age_seconds)} ago`),
    align: 'right',
  },
];
const DELETED: Column<PruneRow> = { header: 'DELETED', cell: (r) => (r.deleted ? 'yes' : `no: ${r.error ?? ''}`) };

export function renderPrune(output: OutputFormat, rows: PruneRow[], deleting: boolean): string {
  if (output === 'json') return JSON.stringify(rows) + '\n';
  if (rows.length === 0) return 'no group older than that\n';
  return (
    formatTable(deleting ? [...COLUMNS, DELETED] : COLUMNS, rows) +
    (deleting ? '' : `${rows.length} group(s) would be deleted: run again with --yes\n`)
  );
}
