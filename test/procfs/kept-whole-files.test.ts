import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KeptWholeFiles } from '../../platforms/kept-whole-files';

/** Descriptors this process holds open on `file` (by /proc/self/fd). */
function openOn(file: string): number {
  const dir = '/proc/self/fd';
  return fs.readdirSync(dir).filter((fd) => {
    try {
      return fs.readlinkSync(path.join(dir, fd)) === file;
    } catch {
      return false;
    }
  }).length;
}

describe('KeptWholeFiles: host files read every cycle', () => {
  it('keeps a procfs file open and reads it afresh each time', () => {
    const files = new KeptWholeFiles(16);
    const first = files.read('/proc/self/stat');
    expect(first).toMatch(/^\d+ \(/);
    // A buffer smaller than the file grows: the whole file comes back, not 16 bytes.
    expect(first.length).toBeGreaterThan(16);
    const uptime1 = Number(files.read('/proc/uptime').split(' ')[0]);
    expect(openOn('/proc/uptime')).toBe(1);
    const until = Date.now() + 50;
    while (Date.now() < until); // the kernel's uptime moves on
    expect(Number(files.read('/proc/uptime').split(' ')[0])).toBeGreaterThan(uptime1);
    files.close();
    expect(openOn('/proc/uptime')).toBe(0);
  });

  it('opens a regular file on every read, so a file replaced under its name is read anew (a captured tree as --procfs-root)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-kept-'));
    const file = path.join(dir, 'stat');
    fs.writeFileSync(file, 'cpu  1 2 3\n');
    const files = new KeptWholeFiles(64);
    expect(files.read(file)).toBe('cpu  1 2 3\n');
    expect(openOn(file)).toBe(0);
    fs.writeFileSync(`${file}.new`, 'cpu  4 5 6\n');
    fs.renameSync(`${file}.new`, file);
    expect(files.read(file)).toBe('cpu  4 5 6\n');
    fs.rmSync(file);
    fs.mkdirSync(file);
    expect(() => files.read(file)).toThrow(/EISDIR/);
    files.close();
    fs.rmSync(dir, { recursive: true });
  });
});
