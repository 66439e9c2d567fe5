import { ScanDetector } from '../../agent/collectors/scan-detector';

const at = (s: number) => new Date(Date.UTC(2021, 3, 28, 15, 0, 0) + s * 1000);
const SRC = '192.0.2.56';
const HOST = '10.0.0.5';

describe('ScanDetector (--scan-ports 3, --scan-window 60s)', () => {
  it('reports the connection that makes a 4th distinct port within the window, with the ports ascending', () => {
    const d = new ScanDetector(3, 60_000);
    expect(d.see(SRC, HOST, 82, at(0))).toBeUndefined();
    expect(d.see(SRC, HOST, 80, at(1))).toBeUndefined();
    expect(d.see(SRC, HOST, 81, at(2))).toBeUndefined();
    expect(d.see(SRC, HOST, 83, at(3))).toEqual({ source: SRC, target: HOST, ports: [80, 81, 82, 83], time: at(3) });
  });

  it('the same port again and again is no scan; exactly --scan-ports ports is none either', () => {
    const d = new ScanDetector(3, 60_000);
    for (let i = 0; i < 20; i++) expect(d.see(SRC, HOST, 80, at(i))).toBeUndefined();
    expect(d.see(SRC, HOST, 81, at(21))).toBeUndefined();
    expect(d.see(SRC, HOST, 82, at(22))).toBeUndefined();
  });

  it('ports spread over more than the window do not add up', () => {
    const d = new ScanDetector(3, 60_000);
    expect(d.see(SRC, HOST, 80, at(0))).toBeUndefined();
    expect(d.see(SRC, HOST, 81, at(30))).toBeUndefined();
    expect(d.see(SRC, HOST, 82, at(61))).toBeUndefined();
    expect(d.see(SRC, HOST, 83, at(62))).toBeUndefined(); // 80 left the window
    expect(d.see(SRC, HOST, 84, at(63))?.ports).toEqual([81, 82, 83, 84]);
  });

  it('sources are counted apart', () => {
    const d = new ScanDetector(3, 60_000);
    [80, 81].forEach((p, i) => d.see(SRC, HOST, p, at(i)));
    [82, 83].forEach((p, i) => d.see('192.0.2.57', HOST, p, at(i)));
    expect(d.see('192.0.2.57', HOST, 84, at(5))).toBeUndefined();
    expect(d.see(SRC, HOST, 85, at(6))).toBeUndefined();
    expect(d.tracked).toBe(2);
  });

  it('one report per scan: not repeated while the source goes on, even for longer than a window', () => {
    const d = new ScanDetector(3, 60_000);
    [80, 81, 82].forEach((p, i) => d.see(SRC, HOST, p, at(i)));
    expect(d.see(SRC, HOST, 83, at(3))).toBeDefined();
    // Another port every 20 s for 10 minutes: each in the window of the one before.
    for (let s = 23, p = 84; s < 600; s += 20, p++) expect(d.see(SRC, HOST, p, at(s))).toBeUndefined();
  });

  it('after a whole window without its connections, a new scan by the same source is reported again', () => {
    const d = new ScanDetector(3, 60_000);
    [80, 81, 82, 83].forEach((p, i) => d.see(SRC, HOST, p, at(i)));
    // quiet from 3 s to 63 s: the window after the last connection has passed
    [90, 91, 92].forEach((p, i) => expect(d.see(SRC, HOST, p, at(63 + i))).toBeUndefined());
    expect(d.see(SRC, HOST, 93, at(66))).toEqual({ source: SRC, target: HOST, ports: [90, 91, 92, 93], time: at(66) });
  });

  it('prune forgets a source once its window and quiet time are over, not before', () => {
    const d = new ScanDetector(3, 60_000);
    [80, 81, 82, 83].forEach((p, i) => d.see(SRC, HOST, p, at(i)));
    d.prune(at(30));
    expect(d.tracked).toBe(1);
    d.prune(at(64));
    expect(d.tracked).toBe(0);
  });
});
