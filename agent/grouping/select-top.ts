import type { ProcessSample } from '../../platforms/types';

/**
 * The `n` largest processes by `size`, largest first, without sorting the
 * whole list: a bounded insertion keeps the hot path O(processes) for small n.
 * Ties keep the earlier process. `size` gets the index too (the CPU used in
 * the last interval is kept index for index); a process whose size is not
 * above `floor` is never selected (an idle process is no CPU consumer).
 */
export function selectTop(
  processes: readonly ProcessSample[],
  n: number,
  size: (p: ProcessSample, i: number) => number,
  floor = -Infinity,
): ProcessSample[] {
  if (n <= 0) return [];
  const top: ProcessSample[] = [];
  const sizes: number[] = [];
  for (let j = 0; j < processes.length; j++) {
    const p = processes[j];
    const s = size(p, j);
    if (s <= floor) continue;
    if (top.length === n && s <= sizes[n - 1]) continue;
    let i = top.length === n ? n - 1 : top.length;
    while (i > 0 && sizes[i - 1] < s) {
      top[i] = top[i - 1];
      sizes[i] = sizes[i - 1];
      i--;
    }
    top[i] = p;
    sizes[i] = s;
  }
  return top;
}

/** The size to rank by: RSS where the sampler measures it, else VSZ, else nothing to rank. */
export function rankSize(p: ProcessSample): number {
  return p.rssBytes ?? p.vszBytes ?? 0;
}
