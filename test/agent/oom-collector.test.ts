import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import * as winston from 'winston';
import { OomCollector, type OomEvent } from '../../agent/collectors/oom';
import { SampleProblems } from '../../agent/collectors/problems';
import { AgentMetrics } from '../../agent/metrics/agent-metrics';
import { renderExposition, snapshot } from '../../agent/metrics/exposition';
import { parseExposition } from '../support/exposition';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'kmsg');

function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: winston.createLogger({ level: 'debug', format: winston.format.json(), transports: [new winston.transports.Stream({ stream })] }), lines };
}

/** A kernel log stand-in: a regular file, appended to after the collector opened it. */
function setUp(maxVictims = 20) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oom-')), 'kmsg');
  fs.writeFileSync(file, fs.readFileSync(path.join(FIXTURES, 'linux-5.4-memcg.kmsg'))); // history: must not count
  const { logger, lines } = memoryLogger();
  const agent = new AgentMetrics();
  const events: OomEvent[] = [];
  const c = new OomCollector(file, maxVictims, new SampleProblems(agent, logger, new Set()), logger, (e) => events.push(e));
  const samples = async () => parseExposition(renderExposition(await snapshot(c.families)));
  return { c, file, lines, events, agent, samples };
}

describe('oom collector', () => {
  it('counts each kill after start by comm and constraint, keeps the last RSS, logs it once at warn', async () => {
    const { c, file, lines, events, samples } = setUp();
    expect(await c.collect()).toBeUndefined();
    expect((await samples()).filter((s) => s.name === 'hostpulse_oom_kills_total')).toEqual([]);

    fs.appendFileSync(file, fs.readFileSync(path.join(FIXTURES, 'linux-6.18-memcg.kmsg')));
    fs.appendFileSync(file, fs.readFileSync(path.join(FIXTURES, 'linux-5.3-global.kmsg')));
    // The fixtures' sequence numbers are not contiguous with each other: a gap, counted.
    expect(await c.collect()).toMatchObject({ reason: 'kmsg_records_lost' });
    const s = await samples();
    expect(s).toEqual(expect.arrayContaining([
      { name: 'hostpulse_oom_kills_total', labels: { comm: 'hp-oom-victim', constraint: 'cgroup' }, value: 1 },
      { name: 'hostpulse_oom_kills_total', labels: { comm: 'oomprocs', constraint: 'host' }, value: 1 },
      { name: 'hostpulse_oom_victim_resident_memory_bytes', labels: { comm: 'hp-oom-victim' }, value: (65152 + 6664) * 1024 },
    ]));
    const warns = lines.filter((l) => l.event === 'oom_kill');
    expect(warns).toHaveLength(2);
    expect(warns[0]).toMatchObject({ level: 'warn', pid: 14557, comm: 'hp-oom-victim', uid: 0, constraint: 'cgroup', task_memcg: '/hp-capture-13902', rss_bytes: (65152 + 6664) * 1024 });
    expect(events.map((e) => e.pid)).toEqual([14557, 3035]);
    expect(events[0].time).toBeInstanceOf(Date);
    c.close();
  });

  it('folds comms past --oom-max-victims into comm="other", so sums stay exact', async () => {
    const { c, file, samples } = setUp(1);
    const killed = (seq: number, comm: string, kb: number) =>
      `3,${seq},${seq},-;Out of memory: Killed process ${seq} (${comm}) total-vm:1kB, anon-rss:${kb}kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:1kB oom_score_adj:0\n`;
    fs.appendFileSync(file, killed(10, 'a', 1) + killed(11, 'b', 2) + killed(12, 'c', 3) + killed(13, 'a', 4));
    await c.collect();
    const kills = (await samples()).filter((s) => s.name === 'hostpulse_oom_kills_total');
    expect(kills).toEqual(expect.arrayContaining([
      { name: 'hostpulse_oom_kills_total', labels: { comm: 'a', constraint: 'host' }, value: 2 },
      { name: 'hostpulse_oom_kills_total', labels: { comm: 'other', constraint: 'host' }, value: 2 },
    ]));
    expect(kills).toHaveLength(2);
    expect((await samples()).find((s) => s.name === 'hostpulse_oom_victim_resident_memory_bytes' && s.labels.comm === 'other')?.value).toBe(3 * 1024);
    c.close();
  });

  it('lost records are counted and make the cycle incomplete', async () => {
    const { c, file, samples, agent } = setUp();
    fs.appendFileSync(file, '6,3010,1,-;x\n');
    expect(await c.collect()).toMatchObject({ reason: 'kmsg_records_lost', message: expect.stringContaining('7 kernel log records') });
    expect((await samples()).find((s) => s.name === 'hostpulse_oom_kernel_log_records_lost_total')?.value).toBe(7);
    const errs = parseExposition(renderExposition(await snapshot(agent.families)));
    expect(errs.find((s) => s.name === 'hostpulse_agent_sample_errors_total')).toMatchObject({ labels: { reason: 'kmsg_records_lost' }, value: 1 });
    c.close();
  });
});
