import { labelKey } from './vector';
import { round } from './host-rows';

/** One process of one host, as `fleet top` and `fleet watch` show it. JSON field names are stable. */
export interface ProcessRow {
  pid: number;
  comm: string;
  rss_bytes: number | null;
  /** Share of one CPU, like top: a busy 4-thread process can show 400. */
  cpu_percent: number | null;
}

export type ProcessSortKey = 'memory' | 'cpu';

/** Joins the RSS and CPU answers (keyed by pid + comm) into rows. Pure. */
export function buildProcessRows(rss: Map<string, number | null>, cpu: Map<string, number | null>): ProcessRow[] {
  const keys = new Set([...rss.keys(), ...cpu.keys()]);
  const rows: ProcessRow[] = [];
  for (const key of keys) {
    const [pid, comm] = key.split('\u0000');
    const rssBytes = rss.get(key) ?? null;
    rows.push({
      pid: Number(pid),
      comm: comm ?? '',
      rss_bytes: rssBytes === null ? null : Math.round(rssBytes),
      cpu_percent: round(cpu.get(key) ?? null, 1),
    });
  }
  return rows;
}

export function processKey(pid: string, comm: string): string {
  return labelKey([pid, comm]);
}

/** Largest first by the chosen column; unknown values last; ties by pid for a stable order. */
export function topProcesses(rows: ProcessRow[], by: ProcessSortKey, n: number): ProcessRow[] {
  const val = (r: ProcessRow) => (by === 'memory' ? r.rss_bytes : r.cpu_percent) ?? -1;
  return [...rows].sort((a, b) => val(b) - val(a) || a.pid - b.pid).slice(0, n);
}
