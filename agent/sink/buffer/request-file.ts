import * as fs from 'fs';
import * as zlib from 'zlib';

/*
 * A --buffer-dir request file checks itself: a 12-byte header, then the body.
 *   0  4 bytes  magic 00 'H' 'P' 01 (a legacy file, body only, never starts with 00:
 *               a snappy body starts with its length as a varint, a graphite one with text)
 *   4  u32 LE   body length
 *   8  u32 LE   CRC-32 (IEEE, as zlib and gzip) of the body
 * A file cut short (a power cut before the data reached the disk) or changed
 * on disk fails the check and is skipped, never sent.
 */

const MAGIC = Buffer.from([0x00, 0x48, 0x50, 0x01]);
export const HEADER_BYTES = 12;

/** zlib.crc32 exists from Node 20.15 / 22.2; a table CRC-32 below it (the agent declares node >= 20). */
const crc32: (b: Buffer) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (b) => (zlib as unknown as { crc32(b: Buffer): number }).crc32(b)
    : tableCrc32;

let table: Uint32Array | undefined;
export function tableCrc32(b: Buffer): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < b.length; i++) crc = table[(crc ^ b[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The header of a request file holding `body`. */
export function requestHeader(body: Buffer): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt32LE(body.length, 4);
  h.writeUInt32LE(crc32(body), 8);
  return h;
}

/**
 * The body of a request file's bytes, or why they are not one. A legacy file
 * (an older agent's, body only) starts with a non-zero byte and not with the
 * rest of the magic; so any one damaged byte, the first included, fails.
 */
export function parseRequestFile(bytes: Buffer): { body: Buffer } | { corrupt: string } {
  if (bytes.length === 0) return { corrupt: 'empty' };
  const ours = bytes.length >= MAGIC.length && bytes.subarray(1, MAGIC.length).equals(MAGIC.subarray(1));
  if (!ours) return bytes[0] === 0 ? { corrupt: 'no header' } : { body: bytes };
  if (bytes[0] !== MAGIC[0]) return { corrupt: 'bad header' };
  if (bytes.length < HEADER_BYTES) return { corrupt: `header cut short at ${bytes.length} bytes` };
  const length = bytes.readUInt32LE(4);
  const body = bytes.subarray(HEADER_BYTES);
  if (body.length !== length) return { corrupt: `body is ${body.length} bytes, the header says ${length}` };
  if (crc32(body) !== bytes.readUInt32LE(8)) return { corrupt: 'checksum mismatch' };
  return { body };
}

/**
 * Writes a request file so that a power cut leaves either the whole file or
 * none: the data is fsynced under a temporary name, renamed into place, and
 * the directory fsynced so the rename itself is on disk.
 */
export function writeRequestFile(file: string, body: Buffer, dirFd: number): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    const header = requestHeader(body);
    const wrote = fs.writevSync(fd, [header, body]);
    if (wrote !== header.length + body.length)
      throw new Error(`${tmp}: wrote ${wrote} of ${header.length + body.length} bytes`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fs.fsyncSync(dirFd);
}
