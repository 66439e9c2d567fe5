import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import fc from 'fast-check';
import { DiskQueue } from '../../agent/sink/buffer/disk-queue';
import { parseRequestFile, requestHeader, tableCrc32 } from '../../agent/sink/buffer/request-file';
import * as zlib from 'zlib';

/* Issue #24 item 4: request files check themselves; a bad one never blocks newer ones. */

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'hp-disk-buffer-'));
const requests = (dir: string): string[] =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.rw'))
    .sort();

describe('DiskQueue against real files', () => {
  const body = (n: number): Buffer => Buffer.from(`request ${n} `.repeat(20));

  test('a head that cannot be read (here: a directory in its place) is skipped, reported, and does not block newer ones', () => {
    const dir = tmp();
    try {
      const q = new DiskQueue(dir, 1 << 20);
      for (let i = 0; i < 3; i++) q.push({ timestampMs: 1000 + i, samples: 10 + i, body: body(i) });
      const [first] = requests(dir);
      fs.rmSync(path.join(dir, first));
      fs.mkdirSync(path.join(dir, first));
      const head = q.peek();
      expect(head?.timestampMs).toBe(1001);
      expect(head?.body).toEqual(body(1));
      // Skipped with its samples (counted corrupt), and the directory in its place left, said once.
      expect(q.takeCorrupt()).toEqual([
        expect.objectContaining({ timestampMs: 1000, samples: 0, reason: expect.stringContaining('cannot delete') }),
        expect.objectContaining({ timestampMs: 1000, samples: 10, reason: 'skipped, not sent: cannot read: EISDIR' }),
      ]);
      expect(q.takeCorrupt()).toEqual([]);
      expect(q.length).toBe(2);
      q.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("after a restart: an older agent's file (no header) is sent as it is, a zero-filled one is skipped", () => {
    const dir = tmp();
    try {
      fs.writeFileSync(path.join(dir, '0000000000000000-1000-5.rw'), Buffer.alloc(64)); // a torn write: zeros
      fs.writeFileSync(path.join(dir, '0000000000000001-1001-6.rw'), body(1)); // legacy
      const q = new DiskQueue(dir, 1 << 20);
      expect(q.peek()?.body).toEqual(body(1));
      expect(q.takeCorrupt()).toEqual([
        expect.objectContaining({ samples: 5, reason: 'skipped, not sent: no header' }),
      ]);
      q.push({ timestampMs: 2000, samples: 1, body: body(2) });
      q.remove(1);
      expect(q.peek()?.body).toEqual(body(2));
      q.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the request file format (property)', () => {
  const file = (b: Buffer): Buffer => Buffer.concat([requestHeader(b), b]);

  test('any body round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => {
        const body = Buffer.from(b);
        expect(parseRequestFile(file(body))).toEqual({ body });
      }),
    );
  });

  test('any one changed byte or any cut is detected', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (b, at, x) => {
          const f = file(Buffer.from(b));
          const changed = Buffer.from(f);
          changed[at % f.length] ^= x;
          expect(parseRequestFile(changed)).toHaveProperty('corrupt');
          expect(parseRequestFile(f.subarray(0, at % f.length))).toHaveProperty('corrupt');
        },
      ),
    );
  });

  test('random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (b) => {
        const r = parseRequestFile(Buffer.from(b));
        expect('body' in r || 'corrupt' in r).toBe(true);
      }),
    );
  });

  test('the table CRC-32 equals zlib.crc32 where Node has it', () => {
    const native = (zlib as { crc32?: (b: Buffer) => number }).crc32;
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926); // the standard check value
    if (native === undefined) return;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (b) => tableCrc32(Buffer.from(b)) === native(b as Buffer)),
    );
  });
});
