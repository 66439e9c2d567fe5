import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KmsgFollower, kmsgUnavailable } from '../../platforms/kmsg';

describe('KmsgFollower on a regular file (the path is configurable)', () => {
  it('skips what was there at open, then returns what was appended; seq jumps are reported', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kmsg-')), 'kmsg');
    fs.writeFileSync(file, '6,1,1,-;old\n');
    const lost: number[] = [];
    const f = KmsgFollower.open(file, { onLost: (n) => lost.push(n), onMalformed: () => undefined });
    expect(f.read()).toEqual([]);
    fs.appendFileSync(file, '6,2,2,-;new\n SUBSYSTEM=x\n6,6,3,-;after a gap\n');
    expect(f.read().map((r) => r.message)).toEqual(['new', 'after a gap']);
    expect(lost).toEqual([3]);
    f.close();
  });
  it('says why a path cannot be opened', () => {
    expect(kmsgUnavailable('/nonexistent/kmsg')).toMatch(/does not exist/);
    expect(kmsgUnavailable('/dev/kmsg', 'darwin')).toMatch(/Linux only/);
  });
});

const real = kmsgUnavailable('/dev/kmsg');
let writable = true;
try {
  fs.accessSync('/dev/kmsg', fs.constants.W_OK);
} catch {
  // EACCES: not root; the real-device test below is skipped and says so.
  writable = false;
}
const why = real ?? (writable ? undefined : '/dev/kmsg is not writable (not root)');
if (why) console.warn(`SKIPPED real /dev/kmsg follower test: ${why}`);

(why ? describe.skip : describe)('KmsgFollower on the real /dev/kmsg', () => {
  it('skips the ring buffer at open and returns each new record once', () => {
    const f = KmsgFollower.open('/dev/kmsg', {
      onLost: () => undefined,
      onMalformed: (l) => {
        throw new Error(`malformed: ${l}`);
      },
    });
    expect(f.read()).toEqual([]);
    const marker = `hostpulse-follower-test ${process.pid} ${Date.now()}`;
    fs.writeFileSync('/dev/kmsg', `<6>${marker}\n`);
    const got = f.read().filter((r) => r.message.includes(marker));
    expect(got).toHaveLength(1);
    expect(got[0].facility).toBe(1); // a write from user space is LOG_USER, never the kernel's facility 0
    expect(f.read().filter((r) => r.message.includes(marker))).toEqual([]);
    f.close();
  });
});
