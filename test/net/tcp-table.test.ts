import * as fs from 'fs';
import * as path from 'path';
import { formatIpv6 } from '../../platforms/net/tcp-socket';
import { parseEndpoint, parseTcpLine, parseTcpTable } from '../support/tcp-table';

const FIX = path.join(__dirname, '..', 'fixtures', 'net');
const read = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

describe("parseEndpoint (the exercise's address pairs)", () => {
  it('reads 0664A8C0:1FFE as 192.168.100.6:8190 (the exercise pairs it with 10.162.15.225:55474)', () => {
    expect(parseEndpoint('0664A8C0:1FFE', 4)).toEqual({ address: '192.168.100.6', port: 8190 });
  });
  it('reads 10.162.15.225:55474 back from E10FA20A:D8B2, as the kernel printed it', () => {
    expect(parseEndpoint('E10FA20A:D8B2', 4)).toEqual({ address: '10.162.15.225', port: 55474 });
  });
  it('rejects a wrong length or non-hex text', () => {
    expect(parseEndpoint('0664A8C:1FFE', 4)).toBeUndefined();
    expect(parseEndpoint('0664A8CG:1FFE', 4)).toBeUndefined();
    expect(parseEndpoint('0664A8C0:1FFE', 6)).toBeUndefined();
    expect(parseEndpoint('0664A8C01FFE', 4)).toBeUndefined();
  });
});

describe('parseTcpTable on a real capture (netns-server-exercise-pair)', () => {
  it('tcp: the LISTEN row and the established pair', () => {
    const rows = parseTcpTable(read('netns-server-exercise-pair.tcp'), 4);
    expect(rows).toEqual([
      {
        family: 4,
        localAddress: '192.168.100.6',
        localPort: 8190,
        remoteAddress: '0.0.0.0',
        remotePort: 0,
        state: 'listen',
        uid: 0,
        inode: 398125,
      },
      {
        family: 4,
        localAddress: '192.168.100.6',
        localPort: 8190,
        remoteAddress: '10.162.15.225',
        remotePort: 55474,
        state: 'established',
        uid: 0,
        inode: 398127,
      },
    ]);
  });

  it('tcp6: wildcard listener, an IPv4-mapped peer shown as IPv4, and a real IPv6 pair', () => {
    const rows = parseTcpTable(read('netns-server-exercise-pair.tcp6'), 6);
    expect(
      rows.map((r) => [r.state, `${r.localAddress} ${r.localPort}`, `${r.remoteAddress} ${r.remotePort}`, r.inode]),
    ).toEqual([
      ['listen', ':: 8191', ':: 0', 398126],
      ['established', '192.168.100.6 8191', '10.162.15.225 55475', 399342],
      ['established', 'fd00:200::1 8191', 'fd00:200::2 55476', 399343],
    ]);
    expect(rows.every((r) => r.family === 6)).toBe(true);
  });

  it('ignores columns past inode', () => {
    const rows = parseTcpTable(read('extra-columns-edited.tcp'), 4);
    expect(rows[1]).toMatchObject({
      remoteAddress: '10.162.15.225',
      remotePort: 55474,
      state: 'established',
      inode: 398127,
    });
  });

  it('reports a malformed line and keeps the others', () => {
    const text =
      read('netns-server-exercise-pair.tcp') + '   9: garbage\n   10: 0664A8C0:1FFE E10FA20A:D8B2 99 0:0 0:0 0 0 0 1\n';
    const bad: string[] = [];
    expect(parseTcpTable(text, 4, (l) => bad.push(l))).toHaveLength(2);
    expect(bad).toEqual(['   9: garbage', '   10: 0664A8C0:1FFE E10FA20A:D8B2 99 0:0 0:0 0 0 0 1']);
  });

  it('an empty table is only its header', () => {
    expect(parseTcpTable('  sl  local_address rem_address   st\n', 4)).toEqual([]);
    expect(parseTcpTable('', 4)).toEqual([]);
  });
});

describe('parseTcpLine states and formatIpv6', () => {
  it('maps every state code, rejects 00 and unknown ones', () => {
    const line = (st: string) =>
      `   1: 0100007F:0050 0100007F:C000 ${st} 00000000:00000000 00:00000000 00000000  1000 0 42 1`;
    expect(parseTcpLine(line('06'), 4)?.state).toBe('time_wait');
    expect(parseTcpLine(line('0C'), 4)?.state).toBe('new_syn_recv');
    expect(parseTcpLine(line('0C'), 4)?.uid).toBe(1000);
    expect(parseTcpLine(line('00'), 4)).toBeUndefined();
    expect(parseTcpLine(line('0D'), 4)).toBeUndefined();
  });
  it('compresses the longest zero run, the first of equal runs, never a single zero', () => {
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0, 1])).toBe('::1');
    expect(formatIpv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6([0xfe80, 0, 0, 0, 0, 0, 0, 0])).toBe('fe80::');
  });
});
