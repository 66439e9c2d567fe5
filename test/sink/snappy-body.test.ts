import { snappyCompress, snappyUncompress } from '../../agent/sink/remote-write/snappy';

/*
 * Issue #29: a buffered remote-write body holds only its own bytes. The buffer's --buffer-max-bytes
 * counts body.length; a view of snappyjs' worst-case output buffer kept ~6x that alive (a 10-minute
 * outage's 0.4 MB per host was ~2.4 MB of memory).
 */
test('a compressed body keeps no more memory than its own bytes, and decompresses to the input', () => {
  // A cycle-like body: ~47 KB of repetitive label text, as the encoder writes it.
  const input = Buffer.from(
    Array.from(
      { length: 600 },
      (_, i) => `hostpulse_process_resident_memory_bytes instance=sim-${i % 7} pid=${i}`,
    ).join(''),
  );
  const body = snappyCompress(input);
  expect(body.length).toBeLessThan(input.length / 3);
  // Node's 8 KB pool may hold a small body; a large one gets its own memory of exactly its size.
  expect(body.buffer.byteLength).toBeLessThanOrEqual(Math.max(8192, body.length));
  expect(snappyUncompress(body).equals(input)).toBe(true);
});
