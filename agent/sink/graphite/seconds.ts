/**
 * Graphite stores one point per second (or coarser) at whole-second
 * timestamps. Cycles 1 s apart, each woken a few ms late or early, can fall
 * twice into one second and skip the next when their phase is near a second's
 * edge: a hole in a 1 s whisper file although no cycle was lost. So a cycle
 * 0.5 to 1.5 s after the previous one takes the previous one's second + 1,
 * as long as that is within a second of its own; otherwise (and always for
 * longer gaps) a cycle keeps its own second.
 */
export function graphiteSecond(ms: number, previous: { ms: number; second: number } | undefined): number {
  const second = Math.floor(ms / 1000);
  if (previous === undefined) return second;
  const gap = ms - previous.ms;
  const next = previous.second + 1;
  if (gap >= 500 && gap < 1500 && Math.abs(next - second) <= 1) return next;
  return second;
}
