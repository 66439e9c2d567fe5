const ZERO = 0x30;
const NINE = 0x39;

/**
 * Unsigned decimal digits in buf[from, to) as a number; -1 if the range is
 * empty or holds another byte. For the byte parsers of /proc files, which
 * read without decoding to strings.
 */
export function parseUint(buf: Uint8Array, from: number, to: number): number {
  if (to <= from) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c < ZERO || c > NINE) return -1;
    n = n * 10 + (c - ZERO);
  }
  return n;
}
