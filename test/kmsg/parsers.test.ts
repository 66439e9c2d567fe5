import * as fs from 'fs';
import * as path from 'path';
import {
  OomMerger,
  parseKilledLine,
  parseKmsgRecord,
  parseKmsgRecords,
  parseOomSummary,
  SeqTracker,
  type OomKill,
} from '../../platforms/kmsg';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'kmsg');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

function kills(text: string): OomKill[] {
  const m = new OomMerger();
  return parseKmsgRecords(text).flatMap((r) => m.push(r) ?? []);
}

describe('kmsg records', () => {
  it('splits the header from the message; the message may hold ; and ,', () => {
    expect(parseKmsgRecord('6,418,867845290,-;a;b,c')).toEqual({
      level: 6,
      facility: 0,
      seq: 418,
      usec: 867845290,
      message: 'a;b,c',
    });
    expect(parseKmsgRecord('14,5,10,-,caller=T1;user line')).toMatchObject({ level: 6, facility: 1, seq: 5 });
  });
  it('skips dictionary continuation lines and reports what is not a record', () => {
    const bad: string[] = [];
    const rs = parseKmsgRecords('6,1,2,-;usb 1-1: new device\n SUBSYSTEM=usb\n DEVICE=c189:1\ngarbage\n', (l) =>
      bad.push(l),
    );
    expect(rs.map((r) => r.message)).toEqual(['usb 1-1: new device']);
    expect(bad).toEqual(['garbage']);
  });
  it('counts records lost to a sequence jump', () => {
    const t = new SeqTracker();
    expect([10, 11, 15, 16].map((s) => t.next(s))).toEqual([0, 0, 3, 0]);
  });
});

describe('oom-kill: summary line', () => {
  it.each([
    [
      'linux 6.18 memcg (captured)',
      'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/hp-capture-13902,task_memcg=/hp-capture-13902,task=hp-oom-victim,pid=14557,uid=0',
      {
        kernelConstraint: 'CONSTRAINT_MEMCG',
        oomMemcg: '/hp-capture-13902',
        taskMemcg: '/hp-capture-13902',
        comm: 'hp-oom-victim',
        pid: 14557,
        uid: 0,
      },
    ],
    [
      'linux 5.3 global_oom (no oom_memcg)',
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-10383.slice/user@10383.service,task=oomprocs,pid=3035,uid=10383',
      {
        kernelConstraint: 'CONSTRAINT_NONE',
        oomMemcg: undefined,
        taskMemcg: '/user.slice/user-10383.slice/user@10383.service',
        comm: 'oomprocs',
        pid: 3035,
        uid: 10383,
      },
    ],
    [
      '4.19 form (no global_oom, no oom_memcg)',
      'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,task_memcg=/docker/abc,task=java,pid=7,uid=1000',
      { kernelConstraint: 'CONSTRAINT_MEMCG', taskMemcg: '/docker/abc', comm: 'java', pid: 7, uid: 1000 },
    ],
    [
      'a comm with a comma and a space',
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=Web Content,x,pid=9,uid=1',
      { comm: 'Web Content,x', pid: 9, taskMemcg: '/' },
    ],
  ])('%s', (_name, line, want) => {
    expect(parseOomSummary(line)).toMatchObject(want);
  });
  it('is not any other line', () => {
    expect(parseOomSummary('oom_reaper: reaped process 1 (x)')).toBeUndefined();
  });
});

describe('Killed process line', () => {
  it('takes comm to the last ) and sizes in bytes', () => {
    expect(
      parseKilledLine(
        'Out of memory: Killed process 5 (a) (b) total-vm:10kB, anon-rss:1kB, file-rss:2kB, shmem-rss:3kB, UID:7 pgtables:4kB oom_score_adj:0',
      ),
    ).toEqual({
      pid: 5,
      comm: 'a) (b',
      uid: 7,
      constraint: 'host',
      anonRssBytes: 1024,
      fileRssBytes: 2048,
      shmemRssBytes: 3072,
    });
  });
  it('ignores the oom_reaper line', () => {
    expect(
      parseKilledLine('oom_reaper: reaped process 3035 (oomprocs), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB'),
    ).toBeUndefined();
  });
});

describe('merging the lines of one kill (fixtures by kernel)', () => {
  it('linux 6.18 memcg, captured on this machine', () => {
    expect(kills(fixture('linux-6.18-memcg.kmsg'))).toEqual([
      {
        pid: 14557,
        comm: 'hp-oom-victim',
        uid: 0,
        constraint: 'cgroup',
        kernelConstraint: 'CONSTRAINT_MEMCG',
        taskMemcg: '/hp-capture-13902',
        oomMemcg: '/hp-capture-13902',
        anonRssBytes: 65152 * 1024,
        fileRssBytes: 6664 * 1024,
        shmemRssBytes: 0,
        rssBytes: (65152 + 6664) * 1024,
        usec: 867845309,
      },
    ]);
  });
  it('linux 5.3 global OOM: host, uid from the summary', () => {
    expect(kills(fixture('linux-5.3-global.kmsg'))).toEqual([
      expect.objectContaining({
        pid: 3035,
        comm: 'oomprocs',
        uid: 10383,
        constraint: 'host',
        taskMemcg: '/user.slice/user-10383.slice/user@10383.service',
        rssBytes: 12 * 1024,
      }),
    ]);
  });
  it('linux 5.4 memcg without a summary: the prefix says cgroup', () => {
    expect(kills(fixture('linux-5.4-memcg.kmsg'))).toEqual([
      expect.objectContaining({
        pid: 63214,
        comm: 'uwsgi',
        uid: 0,
        constraint: 'cgroup',
        rssBytes: (164992 + 52176 + 92) * 1024,
      }),
    ]);
  });
  it('old 4.x: the sacrificed child is the victim, the "Kill process" prefix gives host', () => {
    const [k] = kills(fixture('linux-4.x-global-sacrifice-child.kmsg'));
    expect(k).toEqual(expect.objectContaining({ pid: 31357, comm: 'sh', constraint: 'host', rssBytes: 256 * 1024 }));
    expect(k.uid).toBeUndefined();
  });
  it('EL7 form "Killed process PID (COMM), UID N, ...": cgroup from the Kill process line', () => {
    expect(kills(fixture('el7-3.10-memcg-uid.kmsg'))).toEqual([
      expect.objectContaining({ pid: 18177, comm: 'palo_be', uid: 0, constraint: 'cgroup', rssBytes: 45563572 * 1024 }),
      expect.objectContaining({ pid: 42453, comm: 'memcg_test_1', uid: 0, constraint: 'cgroup', rssBytes: 260 * 1024 }),
    ]);
  });
  it('a containerd summary alone makes no event, and its paths go to the next kill', () => {
    const m = new OomMerger();
    for (const r of parseKmsgRecords(fixture('linux-6.x-memcg-containerd-summary.kmsg')))
      expect(m.push(r)).toBeUndefined();
    const k = m.push(
      parseKmsgRecord(
        '3,4002,9000000001,-;Memory cgroup out of memory: Killed process 461754 (pt_main_thread) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0',
      )!,
    );
    expect(k).toMatchObject({
      comm: 'pt_main_thread',
      constraint: 'cgroup',
      oomMemcg: expect.stringContaining('kubepods-burstable-pod'),
      taskMemcg: expect.stringMatching(/cri-containerd-ec9e.*\.scope$/),
    });
  });
  it('4.19-5.0 (synthetic, composed from the formats above): summary, Kill process, Killed process', () => {
    const text = [
      '6,1,10,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/foo.service,task_memcg=/system.slice/foo.service,task=foo,pid=100,uid=998',
      '3,2,11,-;Memory cgroup out of memory: Kill process 100 (foo) score 990 or sacrifice child',
      '3,3,12,-;Killed process 100 (foo) total-vm:2000kB, anon-rss:1000kB, file-rss:10kB, shmem-rss:0kB',
    ].join('\n');
    expect(kills(text)).toEqual([
      expect.objectContaining({ pid: 100, uid: 998, constraint: 'cgroup', taskMemcg: '/system.slice/foo.service' }),
    ]);
  });
  it('a user-space write to /dev/kmsg (facility != 0) cannot fake a kill', () => {
    expect(
      kills('14,1,1,-;Out of memory: Killed process 1 (init) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB'),
    ).toEqual([]);
  });
});

describe('OOM attribution in a storm (summary rate-limited, kill skipped, records lost)', () => {
  it('a summary goes only to the kill of its pid; a gap forgets it', () => {
    const got = kills(fixture('storm-6.18-memcg-ratelimited.kmsg')).map((k) => [k.pid, k.taskMemcg, k.oomMemcg]);
    expect(got).toEqual([
      [2001, '/system.slice/a.service', '/system.slice/a.service'],
      [2003, undefined, undefined],
      [2005, undefined, undefined],
      [2006, '/system.slice/f.service', '/system.slice/f.service'],
    ]);
  });
  it('a summary of the same pid after a gap is not paired across it', () => {
    const text = [
      '6,1,10,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/x,task_memcg=/x,task=w,pid=7,uid=0',
      '3,5,12,-;Memory cgroup out of memory: Killed process 7 (w) total-vm:2000kB, anon-rss:1000kB, file-rss:10kB, shmem-rss:0kB',
    ].join('\n');
    expect(kills(text)).toEqual([expect.objectContaining({ pid: 7, constraint: 'cgroup' })]);
    expect(kills(text)[0].taskMemcg).toBeUndefined();
  });
});
