import * as fs from 'fs';
import * as path from 'path';
import type { ProcessSample } from '../../platforms/types';
import { parseCpuTime } from '../../platforms/command/cputime';
import { parseBsdPs } from '../../platforms/ps/parse-bsd';
import { parseBusyboxPs } from '../../platforms/ps/parse-busybox';
import { parseProcpsPs } from '../../platforms/ps/parse-procps';
import { parseSize } from '../../platforms/command/units';
import { busyboxComm, parseBusyboxTop } from '../../platforms/top/parse-busybox';
import { parseMacosTop } from '../../platforms/top/parse-macos';
import { parseProcpsTop } from '../../platforms/top/parse-procps';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cmd');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
const GiB = 1024 ** 3;

function collect(): { errors: string[]; sink: (reason: string, detail: string) => void } {
  const errors: string[] = [];
  return { errors, sink: (reason, detail) => errors.push(`${reason}: ${detail}`) };
}
const byComm = (rows: ProcessSample[], comm: string): ProcessSample | undefined => rows.find((r) => r.comm === comm);

describe('parseCpuTime', () => {
  test.each([
    ['00:00:01', 1],
    ['01:02:03', 3723],
    ['2-03:04:05', 2 * 86400 + 3 * 3600 + 4 * 60 + 5],
    ['0:01.87', 1.87], // procps top TIME+, BSD ps
    ['125:59.99', 125 * 60 + 59.99], // BSD: minutes past 59
    ['02:09:35', 2 * 3600 + 9 * 60 + 35], // macOS top, long-running
    ['1234:56', 1234 * 60 + 56], // procps top when m:ss.hh is too wide
    ['27,35', 27 * 3600 + 35 * 60], // procps top hours,minutes
    ['3d+4h', 3 * 86400 + 4 * 3600],
    ['12w', 12 * 604800],
  ])('%s = %d s', (text, seconds) => expect(parseCpuTime(text)).toBeCloseTo(seconds, 6));
  test.each(['-', 'N/A', '', '1:2:3:4', 'abc'])('%p is not a time', (text) =>
    expect(parseCpuTime(text)).toBeUndefined(),
  );
});

describe('parseSize', () => {
  test.each([
    ['13416', 13416 * 1024],
    ['42m', 42 * 1024 ** 2],
    ['1.5g', 1.5 * GiB],
    ['2.4t', Math.round(2.4 * 1024 ** 4)],
    ['9441K-', 9441 * 1024],
    ['1238M', 1238 * 1024 ** 2],
    ['19G+', 19 * GiB],
    ['4096B', 4096],
  ])('%s = %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));
  test.each(['N/A', '-', '', '1.2x'])('%p is not a size', (text) => expect(parseSize(text)).toBeUndefined());
});

describe('procps-ng 4.0.2 ps (Debian 12 capture)', () => {
  const { errors, sink } = collect();
  const rows = parseProcpsPs(fixture('procps-4.0.2-debian12-ps.txt'), sink);

  test('every line is a process', () => {
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(fixture('procps-4.0.2-debian12-ps.txt').trim().split('\n').length);
  });
  test('comm with spaces is kept whole', () => {
    expect(byComm(rows, 'hp spaced comm')).toMatchObject({ ppid: expect.any(Number), threads: 7 });
  });
  test('the 1.5 GiB process: exact KiB, CPU as total only', () => {
    const big = byComm(rows, 'hp-big-rss')!;
    expect(big.rssBytes).toBe(1611524 * 1024);
    expect(big.vszBytes).toBe(2564528 * 1024);
    expect(big.cpuTotalSeconds).toBe(3);
    expect(big.cpuUserSeconds).toBeUndefined();
    expect(big.cpuSystemSeconds).toBeUndefined();
  });
  test('kernel threads: long names, zero sizes', () => {
    expect(rows.find((r) => r.comm.startsWith('kworker/') && r.comm.length > 15)).toMatchObject({
      ppid: 2,
      rssBytes: 0,
    });
  });
  test('truncated and garbled lines are reported, not guessed', () => {
    const c = collect();
    const out = parseProcpsPs(
      '  812   1  5000  9000 00:00:01\n  813     1  5000  9000 00:00:01    1 S    ok\nxx 1 2 3 4 5 S name\n',
      c.sink,
    );
    expect(out.map((r) => r.pid)).toEqual([813]);
    expect(c.errors).toHaveLength(2);
    expect(c.errors[0]).toMatch(/^ps_malformed_line: /);
  });
});

describe('busybox 1.35 ps (Debian 12 capture)', () => {
  const { errors, sink } = collect();
  const rows = parseBusyboxPs(fixture('busybox-1.35-debian12-ps.txt'), sink);

  test('every line is a process, without CPU time or threads', () => {
    expect(errors).toEqual([]);
    expect(rows.length).toBeGreaterThan(900);
    expect(rows.every((r) => r.cpuTotalSeconds === undefined && r.threads === undefined)).toBe(true);
  });
  test('scaled sizes are normalised: 2.4g VSZ, 1.5g RSS', () => {
    const big = byComm(rows, 'hp-big-rss')!;
    expect(big.vszBytes).toBe(Math.round(2.4 * GiB));
    expect(big.rssBytes).toBe(1.5 * GiB);
  });
  test('comm with spaces is kept whole, kernel threads by name', () => {
    expect(byComm(rows, 'hp spaced comm')).toMatchObject({ rssBytes: 37 * 1024 ** 2 });
    expect(rows.find((r) => r.pid === 2)).toMatchObject({ comm: 'kthreadd' });
  });
});

describe('BSD / macOS ps line format (documented columns; no public capture in this layout)', () => {
  test('mm:ss.ss time, full-path comm on macOS, names with spaces', () => {
    const { errors, sink } = collect();
    const text = [
      '    1     0  12000 4481064   3:56.38 Ss   /sbin/launchd',
      '   68     1    920 4471000   0:20.99 S    /Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
      '  101     1   2048   10240   0:00.01 I    syslogd',
      '  102     1   2048',
    ].join('\n');
    const rows = parseBsdPs(text, sink);
    expect(rows).toEqual([
      { pid: 1, ppid: 0, comm: 'launchd', rssBytes: 12000 * 1024, vszBytes: 4481064 * 1024, cpuTotalSeconds: 236.38 },
      {
        pid: 68,
        ppid: 1,
        comm: 'Google Chrome',
        rssBytes: 920 * 1024,
        vszBytes: 4471000 * 1024,
        cpuTotalSeconds: 20.99,
      },
      { pid: 101, ppid: 1, comm: 'syslogd', rssBytes: 2048 * 1024, vszBytes: 10240 * 1024, cpuTotalSeconds: 0.01 },
    ]);
    expect(errors).toEqual(['ps_malformed_line:   102     1   2048']);
  });
});

describe('procps-ng 4.0.2 top with hostpulse toprc (Debian 12 capture)', () => {
  const { errors, sink } = collect();
  const rows = parseProcpsTop(fixture('procps-4.0.2-debian12-top.txt'), sink);

  test('the summary lines are skipped, every task line is a process', () => {
    expect(errors).toEqual([]);
    expect(rows.length).toBeGreaterThan(900);
  });
  test('RES above 999999 KiB is printed scaled (1.5g) and normalised', () => {
    const big = byComm(rows, 'hp-big-rss')!;
    expect(big.rssBytes).toBe(1.5 * GiB);
    expect(big.vszBytes).toBe(2564528 * 1024);
    expect(big.cpuTotalSeconds).toBeCloseTo(3.52, 6);
    expect(big.threads).toBe(7);
  });
  test('comm with spaces is kept whole', () => {
    expect(byComm(rows, 'hp spaced comm')).toMatchObject({ rssBytes: 38548 * 1024 });
  });
  test('a top without the PPID column is refused with the reason', () => {
    const stock =
      '  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND\n    1 root      20   0   41044  13372   6284 S   0.0   0.1   0:01.87 init\n';
    expect(() => parseProcpsTop(stock, sink)).toThrow(/lacks column\(s\) PPID/);
    expect(() => parseProcpsTop('top: failed tty get\n', sink)).toThrow(/no process table/);
  });
});

describe('busybox 1.35 top (Debian 12 capture, command lines cut)', () => {
  const { errors, sink } = collect();
  const rows = parseBusyboxTop(fixture('busybox-1.35-debian12-top.txt'), sink);

  test('VSZ but no RSS', () => {
    expect(errors).toEqual([]);
    expect(rows.length).toBeGreaterThan(900);
    expect(rows.every((r) => r.rssBytes === undefined && r.cpuTotalSeconds === undefined)).toBe(true);
    expect(byComm(rows, 'hp-big-rss')).toMatchObject({ vszBytes: 2504 * 1024 ** 2 });
  });
  test('comm from [kthread], {comm} and argv[0]', () => {
    expect(rows.find((r) => r.pid === 2)).toMatchObject({ comm: 'kthreadd', vszBytes: 0 });
    expect(rows.find((r) => r.comm === 'memfd:sealed-91')).toBeDefined();
  });
  test.each([
    ['[kworker/0:1-events]', 'kworker/0:1-events'],
    ['{hp spaced comm} hp spaced comm', 'hp spaced comm'],
    ['/usr/bin/prometheus-pushgateway --web.listen-address=127.0.0.1:9091', 'prometheus-push'],
    ['-bash', 'bash'],
    ['node /work/main/dist/agent/cli/main.js once --stdout', 'node'],
  ])('busyboxComm(%p) = %p', (command, comm) => expect(busyboxComm(command)).toBe(comm));
});

describe('macOS top', () => {
  test('public capture (default layout: COMMAND second, cut to its column)', () => {
    const { errors, sink } = collect();
    const rows = parseMacosTop(fixture('macos-top-public-capture.txt'), sink);
    expect(errors).toEqual([]);
    expect(rows).toEqual([{ pid: 81622, ppid: 76508, comm: 'top', cpuTotalSeconds: 18.94, threads: 1 }]);
  });
  test('hostpulse layout (-stats ...,command: COMMAND last, may hold spaces; N/A is absent)', () => {
    // Synthetic rows in the layout MACOS_TOP_ARGS asks for, values from the public capture above.
    const text = [
      'Processes: 488 total, 2 running, 486 sleeping, 2778 threads',
      '',
      'PID    PPID  VSIZE  TIME     #TH   STATE    COMMAND',
      '81622  76508 N/A    00:18.94 1/1   running  top',
      '43757  1     4.1G   02:09:35 4     sleeping System Preferences',
    ].join('\n');
    const { errors, sink } = collect();
    expect(parseMacosTop(text, sink)).toEqual([
      { pid: 81622, ppid: 76508, comm: 'top', cpuTotalSeconds: 18.94, threads: 1 },
      {
        pid: 43757,
        ppid: 1,
        comm: 'System Preferences',
        vszBytes: Math.round(4.1 * GiB),
        cpuTotalSeconds: 7775,
        threads: 4,
      },
    ]);
    expect(errors).toEqual([]);
  });
});
