/**
 * A memory size as ps and top print it, in bytes. A bare number is in
 * `bareUnit` (KiB for ps and Linux top). Suffixes are binary multiples, any
 * case: b, k, m, g, t, p, e (procps top `1.2g`, busybox `42m`, macOS `9441K`).
 * macOS top appends `+`/`-` to show a change since the last sample: ignored.
 * Returns undefined for anything else (`-`, `N/A`).
 */
export function parseSize(text: string, bareUnit = 1024): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([bkmgtpe])?[+-]?$/i.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  const suffix = m[2]?.toLowerCase();
  const scale = suffix === undefined ? bareUnit : 1024 ** 'bkmgtpe'.indexOf(suffix);
  return Math.round(value * scale);
}

/** A plain integer count of KiB (ps rss/vsz), in bytes. */
export function parseKiB(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) * 1024 : undefined;
}
