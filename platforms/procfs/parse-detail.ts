/**
 * Pure parsers of the per-process detail files (--process-detail). Text in,
 * numbers out; undefined where the file does not hold the field.
 */

/** PSS and USS in bytes from /proc/<pid>/smaps_rollup (`Name:   123 kB` lines). A kernel thread's file is empty: undefined. */
export function parseSmapsRollup(text: string): { pssBytes: number; ussBytes: number } | undefined {
  const kb = (name: string): number | undefined => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const pss = kb('Pss');
  const privateClean = kb('Private_Clean');
  const privateDirty = kb('Private_Dirty');
  if (pss === undefined || privateClean === undefined || privateDirty === undefined) return undefined;
  // Private_Hugetlb appeared in Linux 4.4; older kernels have none to add.
  return { pssBytes: pss, ussBytes: privateClean + privateDirty + (kb('Private_Hugetlb') ?? 0) };
}

/** read_bytes and write_bytes from /proc/<pid>/io: what reached the block layer, not rchar/wchar (which count page-cache hits). */
export function parseIo(text: string): { readBytes: number; writeBytes: number } | undefined {
  const read = /^read_bytes:\s+(\d+)$/m.exec(text);
  const write = /^write_bytes:\s+(\d+)$/m.exec(text);
  if (!read || !write) return undefined;
  return { readBytes: Number(read[1]), writeBytes: Number(write[1]) };
}

/**
 * The soft limit of open files from /proc/<pid>/limits. null when it is
 * "unlimited" (not possible for RLIMIT_NOFILE on Linux, but the format allows
 * it), undefined when the line is missing or garbled.
 */
export function parseMaxOpenFiles(text: string): number | null | undefined {
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? null : Number(m[1]);
}
