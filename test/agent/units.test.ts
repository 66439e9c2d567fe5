import { parseDuration } from '../../agent/config/duration';
import { GroupAccumulator } from '../../agent/grouping/group-accumulator';
import { groupKey } from '../../agent/grouping/group-key';
import { renderExposition, snapshot } from '../../agent/metrics/exposition';
import type { FamilySet } from '../../agent/metrics/families';
import { HostMetrics } from '../../agent/metrics/host-metrics';
import { ProcessMetrics } from '../../agent/metrics/process-metrics';
import { rankSize, selectTop } from '../../agent/grouping/select-top';
import { nextTick, splayMs } from '../../agent/loop/schedule';
import { groupingPath, groupUrl } from '../../agent/sink/grouping-key';
import type { ProcessField, ProcessSample } from '../../platforms/types';

const proc = (pid: number, comm: string, rss: number, extra: Partial<ProcessSample> = {}): ProcessSample => ({
  pid,
  ppid: 1,
  comm,
  rssBytes: rss,
  vszBytes: rss * 2,
  cpuUserSeconds: 1,
  cpuSystemSeconds: 0.5,
  threads: 1,
  startTimeSeconds: 1000 + pid,
  ...extra,
});

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1000],
    ['1.5s', 1500],
    ['15s', 15000],
    ['1m', 60000],
    ['2h', 7200000],
    ['7d', 604800000],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['15', 'abc', '-1s', '1w', '', 's'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});

describe('Pushgateway grouping key', () => {
  it('plain values go in the path, URL-escaped', () => {
    expect(
      groupingPath([
        ['job', 'hostpulse'],
        ['instance', 'web 1'],
      ]),
    ).toBe('/metrics/job/hostpulse/instance/web%201');
  });
  it('a value with "/" is sent @base64 (base64url)', () => {
    expect(
      groupingPath([
        ['job', 'hostpulse'],
        ['instance', 'rack/3?'],
      ]),
    ).toBe(`/metrics/job/hostpulse/instance@base64/${Buffer.from('rack/3?').toString('base64url')}`);
  });
  it('"." and ".." are sent @base64, not resolved as path navigation', () => {
    expect(groupingPath([['instance', '..']])).toBe(
      `/metrics/instance@base64/${Buffer.from('..').toString('base64url')}`,
    );
    expect(groupingPath([['instance', '.']])).toBe(
      `/metrics/instance@base64/${Buffer.from('.').toString('base64url')}`,
    );
  });
  it('an empty value is sent as @base64 "="', () => {
    expect(
      groupingPath([
        ['job', 'hostpulse'],
        ['instance', ''],
      ]),
    ).toBe('/metrics/job/hostpulse/instance@base64/=');
  });
  it('keeps a path prefix of the gateway URL', () => {
    expect(groupUrl(new URL('https://gw.example/prefix/'), 'j', 'i').toString()).toBe(
      'https://gw.example/prefix/metrics/job/j/instance/i',
    );
  });
});

describe('selectTop', () => {
  it('keeps the n largest by RSS, largest first', () => {
    const ps = [proc(1, 'a', 5), proc(2, 'b', 50), proc(3, 'c', 1), proc(4, 'd', 30), proc(5, 'e', 40)];
    expect(selectTop(ps, 3, rankSize).map((p) => p.pid)).toEqual([2, 5, 4]);
    expect(selectTop(ps, 10, rankSize).map((p) => p.pid)).toEqual([2, 5, 4, 1, 3]);
    expect(selectTop(ps, 0, rankSize)).toEqual([]);
  });
  it('ranks by VSZ where the sampler has no RSS', () => {
    const ps = [
      proc(1, 'a', 0, { rssBytes: undefined, vszBytes: 9 }),
      proc(2, 'b', 0, { rssBytes: undefined, vszBytes: 90 }),
    ];
    expect(selectTop(ps, 1, rankSize).map((p) => p.pid)).toEqual([2]);
  });
});

describe('groupKey', () => {
  it('groups by comm', () => expect(groupKey(proc(10, 'nginx', 1))).toBe('nginx'));
  it('folds kernel threads by the name before "/"', () => {
    expect(groupKey(proc(10, 'kworker/1:0H-events_highpri', 0, { ppid: 2 }))).toBe('kworker');
    expect(groupKey(proc(10, 'a/b', 1))).toBe('a/b');
  });
});

describe('GroupAccumulator keeps group CPU counters monotonic', () => {
  it('sums live processes on the first cycle', () => {
    const acc = new GroupAccumulator();
    const g = acc.fold([proc(1, 'w', 10, { cpuUserSeconds: 2 }), proc(2, 'w', 20, { cpuUserSeconds: 3 })]).get('w')!;
    expect(g).toEqual({ processes: 2, rssBytes: 30, cpuUserSeconds: 5, cpuSystemSeconds: 1, cpuTotalSeconds: 0 });
  });

  it('does not drop when a process exits, and adds a new process whole', () => {
    const acc = new GroupAccumulator();
    acc.fold([proc(1, 'w', 10, { cpuUserSeconds: 2 }), proc(2, 'w', 20, { cpuUserSeconds: 3 })]);
    // pid 2 exits; pid 1 used 1 s more
    expect(acc.fold([proc(1, 'w', 10, { cpuUserSeconds: 3 })]).get('w')!.cpuUserSeconds).toBe(6);
    // a new process with 0.5 s
    expect(
      acc.fold([proc(1, 'w', 10, { cpuUserSeconds: 3 }), proc(3, 'w', 1, { cpuUserSeconds: 0.5 })]).get('w')!
        .cpuUserSeconds,
    ).toBe(6.5);
  });

  it('treats a reused pid (new start time) as a new process', () => {
    const acc = new GroupAccumulator();
    acc.fold([proc(7, 'w', 1, { cpuUserSeconds: 10, startTimeSeconds: 100 })]);
    const g = acc.fold([proc(7, 'w', 1, { cpuUserSeconds: 1, startTimeSeconds: 200 })]).get('w')!;
    expect(g.cpuUserSeconds).toBe(11);
  });

  it('ends the series of an empty group, and continues its counter when the group comes back', () => {
    const acc = new GroupAccumulator();
    acc.fold([proc(1, 'a', 1, { cpuUserSeconds: 4 })]);
    expect(acc.fold([proc(2, 'b', 1)]).has('a')).toBe(false);
    expect(acc.fold([proc(2, 'b', 1), proc(3, 'a', 1, { cpuUserSeconds: 1 })]).get('a')!.cpuUserSeconds).toBe(5);
  });
});

/** What production pushes: the families through the one renderer. */
const rendered = async (m: FamilySet): Promise<string> => renderExposition(await snapshot(m.families));

describe('mapping', () => {
  const ALL: ReadonlySet<ProcessField> = new Set<ProcessField>(['rss', 'vsz', 'cpu', 'threads', 'startTime']);
  const write = (m: ProcessMetrics, ps: ProcessSample[], fields = ALL) => {
    const groups = new GroupAccumulator().fold(ps);
    m.write({
      processes: ps,
      top: selectTop(ps, 2, rankSize),
      processFields: fields,
      groups,
      samplerName: 'test',
      sampleSeconds: 0.25,
    });
  };

  it('replaces last cycle label sets: an exited pid disappears', async () => {
    const m = new ProcessMetrics();
    write(m, [proc(1, 'a', 10), proc(2, 'b', 20)]);
    write(m, [proc(1, 'a', 10)]);
    const text = await rendered(m);
    expect(text).toContain('hostpulse_process_resident_memory_bytes{pid="1",comm="a"} 10');
    expect(text).not.toContain('pid="2"');
    expect(text).toContain('hostpulse_agent_processes{state="seen"} 1');
    expect(text).toContain('hostpulse_agent_sample_duration_seconds{sampler="test"} 0.25');
  });

  it('emits no series for a field the sampler does not measure (never a zero)', async () => {
    const m = new ProcessMetrics();
    write(m, [proc(1, 'a', 0, { rssBytes: undefined, threads: undefined })], new Set<ProcessField>(['vsz', 'cpu']));
    const text = await rendered(m);
    expect(text).not.toMatch(/^hostpulse_process_resident_memory_bytes\{/m);
    expect(text).not.toMatch(/^hostpulse_group_resident_memory_bytes\{/m);
    expect(text).not.toMatch(/^hostpulse_process_threads\{/m);
    expect(text).toContain('hostpulse_process_virtual_memory_bytes{pid="1",comm="a"} 0');
  });

  it('drops absent host values instead of reporting 0', async () => {
    const m = new HostMetrics();
    m.write({ memoryTotalBytes: 100, memoryAvailableBytes: 40, oomKills: 3 });
    m.write({ memoryTotalBytes: 100 });
    const text = await rendered(m);
    expect(text).toContain('hostpulse_host_memory_total_bytes 100');
    expect(text).not.toMatch(/^hostpulse_host_memory_available_bytes /m);
    expect(text).not.toMatch(/^hostpulse_host_oom_kills_total /m);
    expect(text).not.toMatch(/^hostpulse_host_load1 /m);
  });
});

describe('schedule', () => {
  it('splay is fixed per host and inside the interval', () => {
    expect(splayMs('web-1', 15000)).toBe(splayMs('web-1', 15000));
    expect(splayMs('web-1', 15000)).toBeLessThan(15000);
    expect(new Set(['a', 'b', 'c', 'd', 'e'].map((h) => splayMs(h, 15000))).size).toBeGreaterThan(1);
  });
  it('a slow cycle skips ticks instead of bunching', () => {
    expect(nextTick(1000, 100, 1050)).toBe(1100);
    expect(nextTick(1000, 100, 1350)).toBe(1400);
    expect(nextTick(1000, 100, 500)).toBe(1000);
  });
});

describe('samplers without a user/system split (ps, top)', () => {
  it('export CPU as mode="total", for processes and groups, and never as user time', async () => {
    const m = new ProcessMetrics();
    const ps = [proc(1, 'a', 10, { cpuUserSeconds: undefined, cpuSystemSeconds: undefined, cpuTotalSeconds: 7 })];
    const fields = new Set<ProcessField>(['rss', 'cpuTotal']);
    m.write({
      processes: ps,
      top: ps,
      processFields: fields,
      groups: new GroupAccumulator().fold(ps),
      samplerName: 'ps',
      sampleSeconds: 0.1,
    });
    const text = await rendered(m);
    expect(text).toContain('hostpulse_process_cpu_seconds_total{pid="1",comm="a",mode="total"} 7');
    expect(text).toContain('hostpulse_group_cpu_seconds_total{group="a",mode="total"} 7');
    expect(text).not.toContain('mode="user"');
  });
});
