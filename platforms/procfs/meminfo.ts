/** /proc/meminfo values we export, in bytes. A line missing from the file stays undefined. */
export interface Meminfo {
  memTotal?: number;
  memAvailable?: number;
  swapTotal?: number;
  swapFree?: number;
}

const KEYS: Record<string, keyof Meminfo> = {
  MemTotal: 'memTotal',
  MemAvailable: 'memAvailable',
  SwapTotal: 'swapTotal',
  SwapFree: 'swapFree',
};

export function parseMeminfo(text: string): Meminfo {
  const out: Meminfo = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = KEYS[line.slice(0, colon)];
    if (!key) continue;
    const m = /^\s*(\d+)\s*(kB)?\s*$/.exec(line.slice(colon + 1));
    if (!m) continue;
    out[key] = Number(m[1]) * (m[2] ? 1024 : 1);
  }
  return out;
}
