import * as fs from 'fs';
import * as path from 'path';
import { parseStat } from '../../platforms/procfs/parse-stat';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'proc');
const parseFile = (pid: string) => {
  const buf = fs.readFileSync(path.join(FIXTURES, pid, 'stat'));
  return parseStat(buf, buf.length);
};
const parseText = (text: string) => {
  const buf = Buffer.from(text);
  return parseStat(buf, buf.length);
};

describe('parseStat over stat files captured from a real /proc', () => {
  it('reads an ordinary process', () => {
    expect(parseFile('1062')).toEqual({
      pid: 1062,
      comm: 'bash',
      ppid: 1061,
      utimeTicks: 6,
      stimeTicks: 8,
      threads: 1,
      startTicks: 2852,
      vsizeBytes: 5361664,
      rssPages: 1026,
    });
  });

  it('takes comm between the first "(" and the LAST ")", spaces and parentheses included', () => {
    const rec = parseFile('9498');
    expect(rec?.comm).toBe('x) (y z');
    expect(rec?.ppid).toBe(9495);
    expect(rec?.rssPages).toBe(386);
  });

  it('keeps spaces in comm', () => {
    expect(parseFile('9183')?.comm).toBe('tmux: server');
  });

  it('reads a kernel thread: no memory, a "/" in comm', () => {
    expect(parseFile('4')).toMatchObject({ pid: 4, comm: 'kworker/R-rcu_gp', ppid: 2, rssPages: 0, vsizeBytes: 0 });
  });

  it('reads a zombie: no memory', () => {
    expect(parseFile('9233')).toMatchObject({ pid: 9233, comm: 'python3', rssPages: 0, vsizeBytes: 0 });
  });

  it('rejects a truncated line', () => {
    expect(parseFile('99999')).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['no parentheses', '12 bash S 1 1 1'],
    ['no closing parenthesis', '12 (bash S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22'],
    ['pid not a number', 'x (bash) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 100 7'],
    ['rss field missing', '12 (bash) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 100'],
    ['garbage in a numeric field', '12 (bash) S 1 1 1 0 -1 0 0 0 0 0 1x 2 0 0 20 0 1 0 5 100 7'],
  ])('rejects %s', (_what, line) => {
    expect(parseText(line)).toBeUndefined();
  });

  it('only reads the first `len` bytes of a reused buffer', () => {
    const line = '12 (a) R 1 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 2 0 5 100 7\n';
    const buf = Buffer.alloc(4096, 'Z');
    const len = buf.write(line);
    expect(parseStat(buf, len)).toMatchObject({
      pid: 12,
      comm: 'a',
      utimeTicks: 3,
      stimeTicks: 4,
      threads: 2,
      startTicks: 5,
      vsizeBytes: 100,
      rssPages: 7,
    });
  });

  it('never reports negative rss (a kernel race can show one)', () => {
    expect(parseText('12 (a) R 1 1 1 0 -1 0 0 0 0 0 3 4 0 0 20 0 2 0 5 100 -3')?.rssPages).toBe(0);
  });
});
