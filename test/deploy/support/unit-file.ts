/**
 * A minimal reader of systemd unit files: enough to take settings out of the
 * shipped unit, so the tests check the unit's own values, not copies of them.
 */
export type UnitFile = Map<string, Map<string, string[]>>;

/** Sections -> keys -> every value in order (systemd keys may repeat). */
export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[(.+)\]$/.exec(line);
    if (head) {
      section = unit.get(head[1]) ?? new Map<string, string[]>();
      unit.set(head[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq < 0) throw new Error(`not a unit file line: ${raw}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return unit;
}

/** The last value of a key (what systemd uses for single-valued settings). */
export function unitValue(unit: UnitFile, section: string, key: string): string | undefined {
  const values = unit.get(section)?.get(key);
  return values?.[values.length - 1];
}

/** A systemd time span such as "20s", "1min 30s" or "500ms", in milliseconds. */
export function timespanMs(span: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60000, min: 60000, h: 3600000 };
  let total = 0;
  for (const m of span.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]*)/g)) {
    const unit = m[2] === '' ? 's' : m[2];
    if (!(unit in units)) throw new Error(`unknown time unit in ${span}`);
    total += Number(m[1]) * units[unit];
  }
  return total;
}
