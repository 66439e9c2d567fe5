/**
 * /dev/kmsg records (Documentation/ABI/testing/dev-kmsg):
 *   "prio,seq,usec,flags[,more...];message\n"
 * followed by continuation lines that begin with a space: " KEY=value" dictionary
 * entries (SUBSYSTEM=, DEVICE=). Pure: text in, records out.
 */
export interface KmsgRecord {
  /** Syslog severity (prio & 7). */
  level: number;
  /** Syslog facility (prio >> 3): 0 for the kernel. */
  facility: number;
  /** 64-bit sequence number; a jump means records were lost in between. */
  seq: number;
  /** Monotonic time since boot, in microseconds. */
  usec: number;
  /** The message, with the kernel's \xNN escapes of unprintable bytes left as they are. */
  message: string;
}

const HEADER = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;

/** One record line (no continuation lines), or undefined when it is not one. */
export function parseKmsgRecord(line: string): KmsgRecord | undefined {
  const m = HEADER.exec(line.replace(/\n$/, ''));
  if (!m) return undefined;
  const prio = Number(m[1]);
  return { level: prio & 7, facility: prio >> 3, seq: Number(m[2]), usec: Number(m[3]), message: m[4] };
}

/**
 * Every record in a chunk of text (one read(2) of /dev/kmsg returns one
 * record plus its dictionary lines; a file holds many). Dictionary lines
 * (leading space) are skipped; any other line that is not a record is
 * reported to `onMalformed`.
 */
export function parseKmsgRecords(text: string, onMalformed: (line: string) => void = () => undefined): KmsgRecord[] {
  const out: KmsgRecord[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue;
    const r = parseKmsgRecord(line);
    if (r) out.push(r);
    else onMalformed(line);
  }
  return out;
}

/**
 * Watches sequence numbers: `next(seq)` returns how many records were lost
 * before this one (0 when none; the kernel overwrote them in its ring buffer
 * before they were read).
 */
export class SeqTracker {
  private last: number | undefined;

  next(seq: number): number {
    const prev = this.last;
    this.last = seq;
    if (prev === undefined || seq <= prev) return 0; // first record, or a reset we cannot measure
    return seq - prev - 1;
  }
}
