import * as fs from 'fs';
import * as path from 'path';
import { ConnectionTracker } from '../../agent/collectors/connection-tracker';
import { scanTcpTable } from '../../platforms/net/tcp-scan';
import type { TcpSocket, TcpState } from '../../platforms/net/tcp-socket';

const T0 = new Date('2021-04-28T15:28:05Z');
const T1 = new Date('2021-04-28T15:28:15Z');

const sock = (state: TcpState, local: string, remote: string, inode: number): TcpSocket => {
  const [la, lp] = local.split(':');
  const [ra, rp] = remote.split(':');
  return {
    family: 4,
    localAddress: la,
    localPort: Number(lp),
    remoteAddress: ra,
    remotePort: Number(rp),
    state,
    uid: 0,
    inode,
  };
};
const LISTEN_80 = sock('listen', '10.0.0.5:80', '0.0.0.0:0', 100);
const IN_1 = sock('established', '10.0.0.5:80', '192.0.2.56:5973', 201);

describe('ConnectionTracker (literal rows)', () => {
  it("the first read only learns; a later new 4-tuple is reported once, with the read's time", () => {
    const t = new ConnectionTracker();
    expect(t.update([LISTEN_80, IN_1], T0).fresh).toEqual([]);
    expect(t.size).toBe(1); // the listener is not a connection
    const out = sock('established', '10.0.0.5:41000', '198.51.100.7:443', 202);
    expect(t.update([LISTEN_80, IN_1, out], T1).fresh).toEqual([
      {
        time: T1,
        direction: 'outbound',
        localAddress: '10.0.0.5',
        localPort: 41000,
        remoteAddress: '198.51.100.7',
        remotePort: 443,
      },
    ]);
    expect(t.update([LISTEN_80, IN_1, out], T1).fresh).toEqual([]);
  });

  it('inbound when the local port is listening, also when the listener comes later in the read', () => {
    const t = new ConnectionTracker();
    t.update([LISTEN_80], T0);
    const in2 = sock('established', '10.0.0.5:80', '192.0.2.57:6000', 203);
    expect(t.update([in2, LISTEN_80], T1).fresh.map((c) => c.direction)).toEqual(['inbound']);
    // The same port without a listener any more: outbound.
    const in3 = sock('established', '10.0.0.5:80', '192.0.2.58:6001', 204);
    expect(t.update([in2, in3], T1).fresh.map((c) => c.direction)).toEqual(['outbound']);
  });

  it('a reused 4-tuple with a new inode is a new connection; the same inode is not', () => {
    const t = new ConnectionTracker();
    t.update([LISTEN_80, IN_1], T0);
    expect(t.update([LISTEN_80, IN_1], T1).fresh).toHaveLength(0);
    const reused = { ...IN_1, inode: 999 };
    expect(t.update([LISTEN_80, reused], T1).fresh).toEqual([
      {
        time: T1,
        direction: 'inbound',
        localAddress: '10.0.0.5',
        localPort: 80,
        remoteAddress: '192.0.2.56',
        remotePort: 5973,
      },
    ]);
  });

  it('losing the inode (TIME_WAIT) and getting it back is the same connection; a tuple gone and back is new', () => {
    const t = new ConnectionTracker();
    t.update([IN_1], T0);
    expect(t.update([{ ...IN_1, state: 'time_wait', inode: 0 }], T1).fresh).toHaveLength(0);
    // An accepted request socket (inode 0 then one): not new either.
    const req = sock('syn_recv', '10.0.0.5:80', '192.0.2.60:7000', 0);
    expect(t.update([req], T1).fresh).toHaveLength(1);
    expect(t.update([{ ...req, state: 'established', inode: 300 }], T1).fresh).toHaveLength(0);
    // Gone for one read, then the tuple again: new.
    t.update([], T1);
    expect(t.size).toBe(0);
    expect(t.update([IN_1], T1).fresh).toHaveLength(1);
  });

  it('counts every state; CLOSE and LISTEN rows are not connections', () => {
    const t = new ConnectionTracker();
    t.update([], T0);
    const closed = sock('close', '10.0.0.5:5000', '0.0.0.0:0', 5);
    const r = t.update([LISTEN_80, IN_1, closed, { ...IN_1, remotePort: 5974, inode: 7 }], T1);
    expect([...r.states]).toEqual([
      ['established', 2],
      ['close', 1],
      ['listen', 1],
    ]);
    expect([...r.listening]).toEqual([80]);
    expect(r.fresh).toHaveLength(2);
  });

  it("fed by the byte scanner (as the collector is): the fixture's pair is inbound to the listening 8190", () => {
    const buf = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'net', 'netns-server-exercise-pair.tcp'));
    const header = buf.subarray(0, buf.indexOf(10) + 1);
    const t = new ConnectionTracker();
    t.begin();
    scanTcpTable(header, header.length, 4, t.row);
    t.end(T0);
    t.begin();
    scanTcpTable(buf, buf.length, 4, t.row);
    expect(t.end(T1).fresh).toEqual([
      {
        time: T1,
        direction: 'inbound',
        localAddress: '192.168.100.6',
        localPort: 8190,
        remoteAddress: '10.162.15.225',
        remotePort: 55474,
      },
    ]);
  });
});
