// snappyjs ships no types; its two functions take and return the same kind of buffer.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const snappyjs = require('snappyjs') as { compress(b: Uint8Array): Uint8Array; uncompress(b: Uint8Array): Uint8Array };

/**
 * Snappy block format (not the framed stream), as remote write's `Content-Encoding: snappy` means.
 * A copy of the compressed bytes: snappyjs returns a view of its worst-case output buffer (~1.17x
 * the input), so a 9 KB body would keep ~55 KB alive in the buffer that counts it as 9 KB.
 */
export function snappyCompress(data: Uint8Array): Buffer {
  const out = snappyjs.compress(data);
  return Buffer.from(out);
}

export function snappyUncompress(data: Uint8Array): Buffer {
  const out = snappyjs.uncompress(data);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}
