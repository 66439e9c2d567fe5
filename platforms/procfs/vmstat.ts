/** oom_kill from /proc/vmstat (kernel 4.13+); undefined on older kernels. */
export function parseOomKills(text: string): number | undefined {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}
