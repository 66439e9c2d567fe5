import * as fs from 'fs';
import * as path from 'path';
import { parseIo, parseMaxOpenFiles, parseSmapsRollup } from '../../platforms/procfs/parse-detail';

const PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const read = (rel: string) => fs.readFileSync(path.join(PROC, rel), 'utf8');

describe('parseSmapsRollup', () => {
  it('reads PSS and USS (Private_Clean + Private_Dirty + Private_Hugetlb) from a captured bash', () => {
    // 1062/smaps_rollup: Pss 249 kB, Private_Clean 0 kB, Private_Dirty 108 kB, Private_Hugetlb 0 kB.
    expect(parseSmapsRollup(read('1062/smaps_rollup'))).toEqual({ pssBytes: 249 * 1024, ussBytes: 108 * 1024 });
  });

  it('adds Private_Hugetlb, and does without it on kernels before 4.4', () => {
    const text = 'Rss: 900 kB\nPss:  500 kB\nPrivate_Clean:  10 kB\nPrivate_Dirty:  20 kB\nPrivate_Hugetlb:  2048 kB\n';
    expect(parseSmapsRollup(text)).toEqual({ pssBytes: 500 * 1024, ussBytes: (10 + 20 + 2048) * 1024 });
    expect(parseSmapsRollup('Pss: 5 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\n')).toEqual({
      pssBytes: 5120,
      ussBytes: 3072,
    });
  });

  it('does not take Pss_Dirty for Pss, and gives nothing for an empty or garbled file', () => {
    expect(parseSmapsRollup('Pss_Dirty: 7 kB\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\n')).toBeUndefined();
    expect(parseSmapsRollup('')).toBeUndefined();
    expect(parseSmapsRollup('Pss: lots\nPrivate_Clean: 1 kB\nPrivate_Dirty: 2 kB\n')).toBeUndefined();
  });
});

describe('parseIo', () => {
  it('reads read_bytes and write_bytes (not rchar/wchar) from captured files', () => {
    const text = read('1062/io');
    const expected = {
      readBytes: Number(/^read_bytes: (\d+)$/m.exec(text)?.[1]),
      writeBytes: Number(/^write_bytes: (\d+)$/m.exec(text)?.[1]),
    };
    expect(parseIo(text)).toEqual(expected);
    expect(parseIo(read('9233/io'))).toEqual({ readBytes: 0, writeBytes: 0 });
    expect(parseIo('rchar: 5\nwchar: 6\nread_bytes: 7\nwrite_bytes: 8\ncancelled_write_bytes: 9\n')).toEqual({
      readBytes: 7,
      writeBytes: 8,
    });
  });

  it('gives nothing when a line is missing', () => {
    expect(parseIo('rchar: 5\nwchar: 6\nread_bytes: 7\n')).toBeUndefined();
    expect(parseIo('')).toBeUndefined();
  });
});

describe('parseMaxOpenFiles', () => {
  it('reads the soft limit from captured limits files', () => {
    expect(parseMaxOpenFiles(read('1/limits'))).toBe(32768);
    expect(parseMaxOpenFiles(read('1062/limits'))).toBe(20000);
  });

  it('takes the soft limit, not the hard one; unlimited is null; a missing line undefined', () => {
    expect(parseMaxOpenFiles('Max open files            1024                 524288               files     \n')).toBe(
      1024,
    );
    expect(
      parseMaxOpenFiles('Max open files            unlimited            unlimited            files     \n'),
    ).toBeNull();
    expect(
      parseMaxOpenFiles('Max processes             96364                96364                processes \n'),
    ).toBeUndefined();
  });
});
