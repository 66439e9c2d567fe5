/**
 * CPU time as ps and top print it, in seconds:
 * - procps / busybox `time`: `[[dd-]hh:]mm:ss`
 * - BSD / macOS `time`: `mm:ss.ss` (minutes may exceed 59), or `hh:mm:ss`
 * - procps top `TIME+`: `m:ss.hh`, and when that is too wide `m:ss`, `h,mm`,
 *   `Nd+Nh`, `Nh`, `Nd`, `Nw`.
 * Returns undefined for anything else (including `-` or `N/A`).
 */
export function parseCpuTime(text: string): number | undefined {
  const t = text.trim();
  let m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$/.exec(t);
  if (m) {
    const [, days, hours, minutes, seconds] = m;
    return Number(days ?? 0) * 86400 + Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
  }
  m = /^(\d+),(\d+)$/.exec(t); // top: hours,minutes
  if (m) return Number(m[1]) * 3600 + Number(m[2]) * 60;
  m = /^(\d+)d\+(\d+)h$/.exec(t); // top: days+hours
  if (m) return Number(m[1]) * 86400 + Number(m[2]) * 3600;
  m = /^(\d+)([hdw])$/.exec(t);
  if (m) return Number(m[1]) * { h: 3600, d: 86400, w: 604800 }[m[2] as 'h' | 'd' | 'w'];
  return undefined;
}
