/** One victim comm on one host in the window. JSON field names are stable. */
export interface OomVictim {
  comm: string;
  constraint: string;
  kills: number;
  /** RSS of the last victim with that comm (latest in the window), or null when not known. */
  last_rss_bytes: number | null;
}

/** One host with OOM kills in the window. */
export interface OomHostRow {
  instance: string;
  /** Kills the kernel counted (/proc/vmstat): the ground truth, also where the kernel log is not read. */
  kills: number;
  /** Who was killed, from the oom collector (empty where it does not run). */
  victims: OomVictim[];
}

export interface OomColumns {
  /** instance -> kills (hostpulse_host_oom_kills_total). */
  hostKills: Map<string, number | null>;
  /** instance NUL comm NUL constraint -> kills (hostpulse_oom_kills_total). */
  victimKills: Map<string, number | null>;
  /** instance NUL comm -> last RSS. */
  victimRss: Map<string, number | null>;
}

const pos = (v: number | null | undefined) => (v === null || v === undefined || !(v > 0) ? 0 : Math.round(v));

/**
 * Hosts with at least one kill in the window, worst first (then by name);
 * victims by kills, most first. A host whose kernel count lags its kernel
 * log (different scrapes) shows the larger of the two. Pure.
 */
export function buildOomRows(cols: OomColumns): OomHostRow[] {
  const hosts = new Map<string, OomHostRow>();
  const host = (instance: string) => {
    let h = hosts.get(instance);
    if (!h) hosts.set(instance, (h = { instance, kills: 0, victims: [] }));
    return h;
  };
  for (const [key, v] of cols.victimKills) {
    const kills = pos(v);
    if (kills === 0) continue;
    const [instance, comm, constraint] = key.split('\0');
    host(instance).victims.push({
      comm,
      constraint,
      kills,
      last_rss_bytes: cols.victimRss.get(`${instance}\0${comm}`) ?? null,
    });
  }
  for (const [instance, v] of cols.hostKills) if (pos(v) > 0) host(instance);
  const rows = [...hosts.values()];
  for (const r of rows) {
    r.victims.sort((a, b) => b.kills - a.kills || a.comm.localeCompare(b.comm));
    r.kills = Math.max(
      pos(cols.hostKills.get(r.instance)),
      r.victims.reduce((a, v) => a + v.kills, 0),
    );
  }
  return rows.sort((a, b) => b.kills - a.kills || a.instance.localeCompare(b.instance));
}

/** Table lines: one per victim, the host and its total on its first line; "?" where the kernel log is not read. */
export interface OomLine {
  instance: string;
  kills: string;
  comm: string;
  constraint: string;
  victim_kills: string;
  last_rss_bytes: number | null;
}

export function oomLines(rows: OomHostRow[]): OomLine[] {
  return rows.flatMap((r) => {
    const victims =
      r.victims.length > 0 ? r.victims : [{ comm: '?', constraint: '?', kills: NaN, last_rss_bytes: null }];
    return victims.map((v, i) => ({
      instance: i === 0 ? r.instance : '',
      kills: i === 0 ? String(r.kills) : '',
      comm: v.comm,
      constraint: v.constraint,
      victim_kills: Number.isNaN(v.kills) ? '-' : String(v.kills),
      last_rss_bytes: v.last_rss_bytes,
    }));
  });
}
