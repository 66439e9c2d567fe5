import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TcpSocket } from '../../platforms/net/tcp-socket';
import { parseTcpTable } from '../support/tcp-table';
import { scanTcpTable, TcpRow } from '../../platforms/net/tcp-scan';
import { TcpTableReader } from '../../platforms/net/tcp-reader';

const FIX = path.join(__dirname, '..', 'fixtures', 'net');
const bytes = (name: string) => fs.readFileSync(path.join(FIX, name));

/** Every row the byte scanner visits, as records, and the lines it rejected. */
function scanAll(buf: Buffer, family: 4 | 6): { rows: TcpSocket[]; bad: string[]; keys: string[] } {
  const rows: TcpSocket[] = [];
  const keys: string[] = [];
  const bad: string[] = [];
  scanTcpTable(
    buf,
    buf.length,
    family,
    (r) => {
      rows.push(r.socket());
      keys.push(r.key());
    },
    (l) => bad.push(l),
  );
  return { rows, bad, keys };
}

/** The text parser's answer on the same bytes (read as latin1, as readTcpSockets does). */
function parseAll(buf: Buffer, family: 4 | 6): { rows: TcpSocket[]; bad: string[] } {
  const bad: string[] = [];
  return { rows: parseTcpTable(buf.toString('latin1'), family, (l) => bad.push(l)), bad };
}

describe('scanTcpTable gives what parseTcpTable gives (same fixtures)', () => {
  it.each([
    ['netns-server-exercise-pair.tcp', 4],
    ['netns-server-exercise-pair.tcp6', 6],
    ['extra-columns-edited.tcp', 4],
  ] as const)('%s', (name, family) => {
    const buf = bytes(name);
    const scanned = scanAll(buf, family);
    expect(scanned.rows.length).toBeGreaterThan(1);
    expect(scanned.rows).toEqual(parseAll(buf, family).rows);
    expect(scanned.bad).toEqual([]);
  });

  it('the exercise pair, read from bytes: 192.168.100.6:8190 <- 10.162.15.225:55474, inode and uid as numbers', () => {
    const { rows, keys } = scanAll(bytes('netns-server-exercise-pair.tcp'), 4);
    expect(rows[1]).toEqual({
      family: 4,
      localAddress: '192.168.100.6',
      localPort: 8190,
      remoteAddress: '10.162.15.225',
      remotePort: 55474,
      state: 'established',
      uid: 0,
      inode: 398127,
    });
    expect(keys[1]).toBe('0664A8C0:1FFE E10FA20A:D8B2');
  });

  it('rejects the same malformed lines, with the same text, and keeps the others', () => {
    const extra =
      '   9: garbage\n   10: 0664A8C0:1FFE E10FA20A:D8B2 99 0:0 0:0 0 0 0 1\n   11: 0664A8C0:1FFE E10FA20A:D8B2 01 0:0 0:0 0 0 0\n\n   12: 0664A8CG:1FFE E10FA20A:D8B2 01 0:0 0:0 0 0 0 1\n';
    const buf = Buffer.concat([bytes('netns-server-exercise-pair.tcp'), Buffer.from(extra, 'latin1')]);
    const scanned = scanAll(buf, 4);
    const parsed = parseAll(buf, 4);
    expect(scanned.rows).toEqual(parsed.rows);
    expect(scanned.bad).toEqual(parsed.bad);
    expect(scanned.bad).toEqual([
      '   9: garbage',
      '   10: 0664A8C0:1FFE E10FA20A:D8B2 99 0:0 0:0 0 0 0 1',
      '   11: 0664A8C0:1FFE E10FA20A:D8B2 01 0:0 0:0 0 0 0',
      '   12: 0664A8CG:1FFE E10FA20A:D8B2 01 0:0 0:0 0 0 0 1',
    ]);
  });

  it('an empty table, no header, or a length shorter than the buffer', () => {
    expect(scanAll(Buffer.from('  sl  local_address rem_address   st\n'), 4).rows).toEqual([]);
    expect(scanAll(Buffer.alloc(0), 4).rows).toEqual([]);
    const buf = bytes('netns-server-exercise-pair.tcp');
    const firstRowEnd = buf.indexOf(10, buf.indexOf(10) + 1) + 1;
    const seen: number[] = [];
    scanTcpTable(buf, firstRowEnd, 4, (r) => seen.push(r.inode));
    expect(seen).toEqual([398125]);
  });

  it('visits every row through one reused cursor: numbers without building the record', () => {
    const cursors = new Set<TcpRow>();
    const states: number[] = [];
    scanTcpTable(bytes('netns-server-exercise-pair.tcp6'), bytes('netns-server-exercise-pair.tcp6').length, 6, (r) => {
      cursors.add(r);
      states.push(r.state, r.localPort);
    });
    expect(cursors.size).toBe(1);
    expect(states).toEqual([10, 8191, 1, 8191, 1, 8191]);
  });
});

describe('TcpTableReader', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-tcp-'));
    fs.mkdirSync(path.join(dir, 'net'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads tcp then tcp6 from a procfs root, a missing tcp6 being empty', () => {
    fs.copyFileSync(path.join(FIX, 'netns-server-exercise-pair.tcp'), path.join(dir, 'net', 'tcp'));
    const reader = new TcpTableReader(dir);
    const inodes: number[] = [];
    reader.read((r) => inodes.push(r.inode));
    expect(inodes).toEqual([398125, 398127]);
    fs.copyFileSync(path.join(FIX, 'netns-server-exercise-pair.tcp6'), path.join(dir, 'net', 'tcp6'));
    const families: number[] = [];
    reader.read((r) => families.push(r.family));
    expect(families).toEqual([4, 4, 6, 6, 6]);
  });

  it('grows its buffer for a table larger than it (rows past 256 KiB are still read)', () => {
    const text = bytes('netns-server-exercise-pair.tcp').toString('latin1');
    const [header, , row] = text.split('\n');
    const n = 3000; // 150 bytes a row: ~450 KB
    fs.writeFileSync(path.join(dir, 'net', 'tcp'), [header, ...Array.from({ length: n }, () => row), ''].join('\n'));
    let count = 0;
    new TcpTableReader(dir).read(() => count++);
    expect(count).toBe(n);
  });

  it('a missing tcp throws ENOENT', () => {
    expect(() => new TcpTableReader(dir).read(() => undefined)).toThrow(/ENOENT/);
  });
});
