import * as path from 'path';
import {
  keyedNumber,
  keyedValue,
  parseNumber,
  parseStat,
  parseV1Limit,
  parseV1OomControl,
  parseV2Events,
  parseV2Limit,
} from '../../platforms/cgroup/parse';
import { CgroupReader, findMemoryHierarchy } from '../../platforms/cgroup/reader';

const V2 = path.join(__dirname, '..', 'fixtures', 'cgroup-v2');

describe('cgroup memory file parsers', () => {
  it.each([
    ['123\n', 123],
    ['0\n', 0],
    ['max\n', undefined],
    ['', undefined],
    ['12 34\n', undefined],
  ])('parseNumber(%j) = %j', (text, want) => expect(parseNumber(text)).toBe(want));

  it.each([
    ['max\n', undefined],
    ['536870912\n', 536870912],
    ['garbage\n', undefined],
  ])('parseV2Limit(%j) = %j', (text, want) => expect(parseV2Limit(text)).toBe(want));

  it.each([
    // PAGE_COUNTER_MAX on 4 KiB pages: what an unlimited v1 cgroup reads.
    ['9223372036854771712\n', undefined],
    // The same on 64 KiB pages.
    ['9223372036854710272\n', undefined],
    ['67108864\n', 67108864],
  ])('parseV1Limit(%j) = %j', (text, want) => expect(parseV1Limit(text)).toBe(want));

  it.each([
    ['rss 5\ncache 6\n', 'rss', 5],
    ['cache 6\nrss 5', 'rss', 5],
    ['total_rss 7\nrss 5\n', 'rss', 5],
    ['total_rss 7\n', 'rss', undefined],
    ['anon 1\nanon_thp 2\n', 'anon', 1],
    ['anon_thp 2\n', 'anon', undefined],
    ['', 'anon', undefined],
  ])('keyedValue(%j, %j) = %j', (text, key, want) => expect(keyedValue(text, key)).toBe(want));

  it('keyedNumber reads only the first n bytes of a reused buffer', () => {
    const buf = Buffer.alloc(64, ' ');
    buf.write('total_rss 123456\ntotal_cache 9\n');
    // A shorter file read into the same buffer later: what follows it is the last file's.
    const n = buf.write('cache 1\nrss 7\n');
    expect(keyedNumber(buf, n, 'rss')).toBe(7);
    expect(keyedNumber(buf, n, 'total_rss')).toBeUndefined();
    expect(keyedNumber(buf, n - 1, 'rss')).toBe(7);
    expect(keyedNumber(buf, n - 2, 'rss')).toBeUndefined(); // "rss " with no digit left
    expect(keyedNumber(buf, 0, 'cache')).toBeUndefined();
  });

  it('parseV2Events keeps the kernel events and leaves out what the file does not list', () => {
    expect(parseV2Events('low 0\nhigh 4\nmax 12\noom 2\noom_kill 3\noom_group_kill 1\n')).toEqual({
      low: 0,
      high: 4,
      max: 12,
      oom: 2,
      oom_kill: 3,
      oom_group_kill: 1,
    });
    // A kernel before 5.17 has no oom_group_kill: absent, not zero.
    expect(parseV2Events('low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n')).toEqual({
      low: 0,
      high: 0,
      max: 0,
      oom: 0,
      oom_kill: 0,
    });
  });

  it('parseV1OomControl reads oom_kill and under_oom (no oom_kill before 4.13)', () => {
    expect(parseV1OomControl('oom_kill_disable 0\nunder_oom 1\noom_kill 2\n')).toEqual({ oomKill: 2, underOom: 1 });
    expect(parseV1OomControl('oom_kill_disable 0\nunder_oom 0\n')).toEqual({ oomKill: undefined, underOom: 0 });
  });

  it('parseStat: v2 anon/file, v1 total_rss/total_cache (rss/cache without them)', () => {
    expect(parseStat('anon 10\nfile 20\nkernel 5\n', 2)).toEqual({ anonBytes: 10, fileBytes: 20 });
    expect(parseStat('cache 1\nrss 2\ntotal_cache 30\ntotal_rss 40\n', 1)).toEqual({ anonBytes: 40, fileBytes: 30 });
    expect(parseStat('cache 1\nrss 2\n', 1)).toEqual({ anonBytes: 2, fileBytes: 1 });
  });
});

describe('CgroupReader on a cgroup v2 tree (test/fixtures/cgroup-v2)', () => {
  it('finds the v2 memory controller and reads slices and units', () => {
    const h = findMemoryHierarchy(V2);
    expect(h).toEqual({ root: V2, version: 2 });
    const errors: string[] = [];
    const reader = new CgroupReader(h!, (r, d) => errors.push(`${r} ${d}`));
    const samples = reader.read();
    for (const s of samples) reader.details(s);
    reader.endPass();
    reader.close();
    expect(errors).toEqual([]);
    const by = new Map(samples.map((s) => [s.path, s]));
    expect([...by.keys()].sort()).toEqual([
      '/system.slice',
      '/system.slice/app.service',
      '/system.slice/oom-group.service',
    ]);
    expect(by.get('/system.slice')).toMatchObject({
      name: 'system.slice',
      leaf: false,
      usageBytes: 1610612736,
      limitBytes: undefined,
      highBytes: undefined,
      // A slice's own events (memory.events.local): its units count theirs.
      events: { low: 0, high: 0, max: 0, oom: 0, oom_kill: 0, oom_group_kill: 0 },
    });
    expect(by.get('/system.slice/app.service')).toMatchObject({
      name: 'app.service',
      leaf: true,
      usageBytes: 483183820,
      limitBytes: 536870912,
      highBytes: 503316480,
      swapBytes: 1048576,
      anonBytes: 450000000,
      fileBytes: 30000000,
      pressureSomeSeconds: 1.5,
      pressureFullSeconds: 0.75,
      events: { high: 41, max: 7, oom_kill: 0 },
    });
    expect(by.get('/system.slice/oom-group.service')?.events).toEqual({
      low: 0,
      high: 0,
      max: 12,
      oom: 2,
      oom_kill: 3,
      oom_group_kill: 1,
    });
    expect(by.get('/system.slice/oom-group.service')?.underOom).toBeUndefined();
  });
});
