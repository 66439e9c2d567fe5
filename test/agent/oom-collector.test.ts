import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OomCollector } from '../../agent/collectors/oom';
import type { OomEvent } from '../../agent/collectors/oom-command';
import { OomCommand } from '../../agent/collectors/oom-command';
import { OomMetrics } from '../../agent/metrics/oom-metrics';
import { SampleProblems } from '../../agent/collectors/problems';
import { AgentMetrics } from '../../agent/metrics/agent-metrics';
import { renderExposition, snapshot } from '../../agent/metrics/exposition';
import { parseExposition } from '../support/exposition';
import { memoryLogger } from '../support/memory-logger';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'kmsg');

/** A kernel log stand-in: a regular file, appended to after the collector opened it. */
function setUp(maxVictims = 20) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oom-')), 'kmsg');
  fs.writeFileSync(file, fs.readFileSync(path.join(FIXTURES, 'linux-5.4-memcg.kmsg'))); // history: must not count
  const { logger, lines } = memoryLogger();
  const agent = new AgentMetrics();
  const c = new OomCollector(file, maxVictims, new SampleProblems(agent, logger, new Set()), logger);
  const samples = async () => parseExposition(renderExposition(await snapshot(c.families)));
  return { c, file, lines, agent, samples };
}

describe('oom collector', () => {
  it('counts each kill after start by comm and constraint, keeps the last RSS, logs it once at warn', async () => {
    const { c, file, lines, samples } = setUp();
    expect(await c.collect()).toBeUndefined();
    expect((await samples()).filter((s) => s.name === 'hostpulse_oom_kills_total')).toEqual([]);

    fs.appendFileSync(file, fs.readFileSync(path.join(FIXTURES, 'linux-6.18-memcg.kmsg')));
    fs.appendFileSync(file, fs.readFileSync(path.join(FIXTURES, 'linux-5.3-global.kmsg')));
    // The fixtures' sequence numbers are not contiguous with each other: a gap, counted.
    expect(await c.collect()).toMatchObject({ reason: 'kmsg_records_lost' });
    const s = await samples();
    expect(s).toEqual(
      expect.arrayContaining([
        { name: 'hostpulse_oom_kills_total', labels: { comm: 'hp-oom-victim', constraint: 'cgroup' }, value: 1 },
        { name: 'hostpulse_oom_kills_total', labels: { comm: 'oomprocs', constraint: 'host' }, value: 1 },
        {
          name: 'hostpulse_oom_victim_resident_memory_bytes',
          labels: { comm: 'hp-oom-victim' },
          value: (65152 + 6664) * 1024,
        },
      ]),
    );
    const warns = lines.filter((l) => l.event === 'oom_kill');
    expect(warns).toHaveLength(2);
    expect(warns[0]).toMatchObject({
      level: 'warn',
      pid: 14557,
      comm: 'hp-oom-victim',
      uid: 0,
      constraint: 'cgroup',
      task_memcg: '/hp-capture-13902',
      rss_bytes: (65152 + 6664) * 1024,
    });
    expect(warns.map((w) => w.pid)).toEqual([14557, 3035]);
    c.close();
  });

  it('folds comms past --oom-max-victims into comm="other", so sums stay exact', async () => {
    const { c, file, samples } = setUp(1);
    const killed = (seq: number, comm: string, kb: number) =>
      `3,${seq},${seq},-;Out of memory: Killed process ${seq} (${comm}) total-vm:1kB, anon-rss:${kb}kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0\n`;
    fs.appendFileSync(file, killed(10, 'a', 1) + killed(11, 'b', 2) + killed(12, 'c', 3) + killed(13, 'a', 4));
    await c.collect();
    const kills = (await samples()).filter((s) => s.name === 'hostpulse_oom_kills_total');
    expect(kills).toEqual(
      expect.arrayContaining([
        { name: 'hostpulse_oom_kills_total', labels: { comm: 'a', constraint: 'host' }, value: 2 },
        { name: 'hostpulse_oom_kills_total', labels: { comm: 'other', constraint: 'host' }, value: 2 },
      ]),
    );
    expect(kills).toHaveLength(2);
    expect(
      (await samples()).find(
        (s) => s.name === 'hostpulse_oom_victim_resident_memory_bytes' && s.labels.comm === 'other',
      )?.value,
    ).toBe(3 * 1024);
    c.close();
  });

  it('lost records are counted and make the cycle incomplete', async () => {
    const { c, file, samples, agent } = setUp();
    fs.appendFileSync(file, '6,3010,1,-;x\n');
    expect(await c.collect()).toMatchObject({
      reason: 'kmsg_records_lost',
      message: expect.stringContaining('7 kernel log records'),
    });
    expect((await samples()).find((s) => s.name === 'hostpulse_oom_kernel_log_records_lost_total')?.value).toBe(7);
    const errs = parseExposition(renderExposition(await snapshot(agent.families)));
    expect(errs.find((s) => s.name === 'hostpulse_agent_sample_errors_total')).toMatchObject({
      labels: { reason: 'kmsg_records_lost' },
      value: 1,
    });
    c.close();
  });
});

const event = (pid: number): OomEvent => ({
  pid,
  comm: 'victim',
  uid: 1000,
  constraint: 'cgroup',
  taskMemcg: '/system.slice/foo.service',
  oomMemcg: '/system.slice/foo.service',
  anonRssBytes: 1024,
  fileRssBytes: 0,
  shmemRssBytes: 0,
  rssBytes: 1024,
  usec: 1,
  time: new Date('2026-01-02T03:04:05.000Z'),
});

describe('--on-oom command', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'on-oom-'));
  const opts = { timeoutMs: 5000, maxQueued: 2, job: 'hostpulse', instance: 'web-1' };
  const counts = async (m: OomMetrics) =>
    parseExposition(renderExposition(await snapshot(m.families))).filter((s) =>
      s.name.startsWith('hostpulse_oom_command'),
    );

  it('gets the kill as JSON on stdin, one at a time, in order; exit status and stderr are logged', async () => {
    const out = path.join(tmp, 'events');
    const { logger, lines } = memoryLogger();
    const m = new OomMetrics(20);
    const cmd = new OomCommand({ ...opts, command: `cat >> ${out}; echo done >&2; exit 3` }, m, logger);
    cmd.enqueue(event(1));
    cmd.enqueue(event(2));
    await cmd.idle();
    const got = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(got.map((g) => g.pid)).toEqual([1, 2]);
    expect(got[0]).toEqual({
      host: os.hostname(),
      job: 'hostpulse',
      instance: 'web-1',
      pid: 1,
      comm: 'victim',
      uid: 1000,
      cgroup: '/system.slice/foo.service',
      oomCgroup: '/system.slice/foo.service',
      constraint: 'cgroup',
      rssBytes: 1024,
      time: '2026-01-02T03:04:05.000Z',
    });
    expect(lines.filter((l) => l.message === '--on-oom: command failed')).toEqual([
      expect.objectContaining({ level: 'warn', exit_code: 3, stderr: 'done', pid: 1 }),
      expect.objectContaining({ exit_code: 3, pid: 2 }),
    ]);
    expect(await counts(m)).toEqual(
      expect.arrayContaining([{ name: 'hostpulse_oom_command_runs_total', labels: { result: 'failed' }, value: 2 }]),
    );
  });

  it('a full queue drops kills (counted), a command past its timeout is SIGKILLed, and enqueue never waits', async () => {
    const { logger, lines } = memoryLogger();
    const m = new OomMetrics(20);
    const cmd = new OomCommand({ ...opts, timeoutMs: 300, command: 'exec sleep 30' }, m, logger);
    for (let pid = 1; pid <= 5; pid++) cmd.enqueue(event(pid)); // 1 runs, 2 and 3 wait, 4 and 5 dropped
    // enqueue never waits: every call returned before the first command (killed after 300 ms) ended,
    // however slow the machine; a blocking enqueue would have logged kills by now.
    expect(lines.filter((l) => String(l.message).includes('killed after'))).toEqual([]);
    await cmd.idle();
    expect(await counts(m)).toEqual(
      expect.arrayContaining([
        { name: 'hostpulse_oom_command_runs_total', labels: { result: 'timeout' }, value: 3 },
        { name: 'hostpulse_oom_command_dropped_total', labels: {}, value: 2 },
      ]),
    );
    expect(lines.filter((l) => String(l.message).includes('killed after 300 ms'))).toHaveLength(3);
    expect(lines.find((l) => l.message === '--on-oom: command killed after 300 ms')).toMatchObject({
      signal: 'SIGKILL',
    });
  }, 15000);

  it('a command that does not read stdin is fine', async () => {
    const { logger, lines } = memoryLogger();
    const m = new OomMetrics(20);
    const cmd = new OomCommand({ ...opts, command: 'true' }, m, logger);
    cmd.enqueue(event(1));
    await cmd.idle();
    expect(lines.find((l) => l.message === '--on-oom: command finished')).toMatchObject({ exit_code: 0 });
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });
});
