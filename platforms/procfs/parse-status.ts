/**
 * The real uid from /proc/<pid>/status (`Uid:\treal\teffective\tsaved\tfs`).
 * Pure; undefined when the line is missing or garbled.
 */
export function parseStatusRealUid(text: string): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** /proc/<pid>/cmdline: NUL-separated arguments, shown space-separated (a trailing NUL dropped). */
export function parseCmdline(text: string): string {
  return text.replace(/\0+$/, '').replace(/\0/g, ' ');
}
