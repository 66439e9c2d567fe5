import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { kmsgUnavailable } from '../../platforms/kmsg';
import { CLI } from '../support/cli';
import { parseExposition, type Sample } from '../support/exposition';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';
import { recordingGateway } from '../support/recording-gateway';

/**
 * A real OOM kill: a child in a 64 MiB memory cgroup (v1) allocates past the
 * limit; the agent, run as an operator would, must say who was killed.
 */
const MEMCG_ROOT = '/sys/fs/cgroup/memory';
const LIMIT = 64 * 1024 * 1024;

function whyNot(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (creating a memory cgroup needs it)';
  if (!fs.existsSync(path.join(MEMCG_ROOT, 'memory.limit_in_bytes')))
    return `no cgroup v1 memory controller at ${MEMCG_ROOT}`;
  try {
    fs.accessSync(MEMCG_ROOT, fs.constants.W_OK);
  } catch (err) {
    return `${MEMCG_ROOT} is not writable: ${(err as Error).message}`;
  }
  return kmsgUnavailable('/dev/kmsg');
}

const why = whyNot();
if (why) console.warn(`SKIPPED real OOM-kill test: ${why}`);

const sum = (samples: Sample[], name: string) =>
  samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);

(why ? describe.skip : describe)('a real cgroup OOM kill (root, cgroup v1 memory controller)', () => {
  const comm = `hpoom${process.pid % 100000}`;
  const cgName = `hostpulse-oom-test-${process.pid}`;
  const cgDir = path.join(MEMCG_ROOT, cgName);
  let gw: Awaited<ReturnType<typeof recordingGateway>>;
  let agent: Spawned;
  let victim: Spawned | undefined;
  const hookOut = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'on-oom-real-')), 'event.json');

  afterAll(async () => {
    await victim?.stop(500);
    await agent?.stop();
    await gw?.stop();
    if (fs.existsSync(cgDir)) {
      // The killed child may take a moment to leave the cgroup; rmdir fails with EBUSY until then.
      await waitFor(
        'cgroup removed',
        () => {
          try {
            fs.rmdirSync(cgDir);
            return true;
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'EBUSY') return undefined;
            throw err;
          }
        },
        10000,
        100,
      );
    }
  });

  it('pushes hostpulse_oom_kills_total{comm,constraint="cgroup"} 1, the victim RSS, a warn line, and agrees with /proc/vmstat', async () => {
    gw = await recordingGateway();
    agent = spawnTracked(process.execPath, [
      CLI,
      'run',
      '--pushgateway-url',
      gw.url,
      '--interval',
      '1s',
      '--collectors',
      'processes,host,oom',
      '--instance',
      'oom-real-test',
      '--log-format',
      'json',
      '--on-oom',
      `cat > ${hookOut}`,
    ]);
    // The first push means the kernel log is open and its history skipped.
    await waitFor('first push', () => (gw.bodies.length > 0 ? true : undefined), 15000, 50);
    const before = parseExposition(gw.bodies[gw.bodies.length - 1]);
    const hostBefore = sum(before, 'hostpulse_host_oom_kills_total');
    const oomBefore = sum(before, 'hostpulse_oom_kills_total');
    expect(before.find((s) => s.name === 'hostpulse_host_info')?.labels.oom_events).toBe('kmsg');

    fs.mkdirSync(cgDir);
    fs.writeFileSync(path.join(cgDir, 'memory.limit_in_bytes'), String(LIMIT));
    // No swap escape: swappiness 0 (and memsw where swap accounting exists).
    fs.writeFileSync(path.join(cgDir, 'memory.swappiness'), '0');
    const memsw = path.join(cgDir, 'memory.memsw.limit_in_bytes');
    if (fs.existsSync(memsw)) fs.writeFileSync(memsw, String(LIMIT));
    const script = `open('/proc/self/comm', 'w').write(${JSON.stringify(comm)})
b = []
while True:
    b.append(bytearray(1 << 20))`;
    // sh joins the cgroup, then execs python3 in its place (same pid): the victim is the whole allocation.
    victim = spawnTracked('sh', ['-c', `echo $$ > ${cgDir}/cgroup.procs && exec python3 -c "$0"`, script]);
    const exit = await victim.exited;
    expect(exit.signal).toBe('SIGKILL');

    const line = new RegExp(`hostpulse_oom_kills_total\\{comm="${comm}",constraint="cgroup"\\} 1\\n`);
    const body = await waitFor(
      'the kill in a push, agreeing with /proc/vmstat',
      () => {
        const b = gw.bodies.at(-1)!;
        if (!line.test(b)) return undefined;
        const s = parseExposition(b);
        // Another test on this machine may OOM too: the two counts must agree, whoever was killed.
        return sum(s, 'hostpulse_host_oom_kills_total') - hostBefore === sum(s, 'hostpulse_oom_kills_total') - oomBefore
          ? b
          : undefined;
      },
      20000,
      100,
    );
    const samples = parseExposition(body);
    expect(sum(samples, 'hostpulse_host_oom_kills_total') - hostBefore).toBeGreaterThanOrEqual(1);
    const rss = samples.find(
      (s) => s.name === 'hostpulse_oom_victim_resident_memory_bytes' && s.labels.comm === comm,
    )!.value;
    expect(rss).toBeGreaterThan(LIMIT / 2);
    // RSS counts the interpreter's mapped file pages (~7 MiB of python3), which may be charged to
    // another cgroup that read them first: the victim's RSS may pass the limit by about that much.
    expect(rss).toBeLessThan(LIMIT + 16 * 1024 * 1024);

    const warn = agent
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"event":"oom_kill"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.comm === comm);
    expect(warn).toMatchObject({
      level: 'warn',
      pid: victim.pid,
      comm,
      uid: 0,
      constraint: 'cgroup',
      task_memcg: `/${cgName}`,
      oom_memcg: `/${cgName}`,
      rss_bytes: rss,
    });

    // --on-oom ran with the kill on its stdin (it may have run for another test's kill first: poll for ours).
    const hook = await waitFor(
      '--on-oom output',
      () => {
        if (!fs.existsSync(hookOut)) return undefined;
        const text = fs.readFileSync(hookOut, 'utf8');
        return text.endsWith('\n') ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      },
      10000,
      50,
    );
    expect(hook).toMatchObject({
      instance: 'oom-real-test',
      pid: victim.pid,
      comm,
      uid: 0,
      cgroup: `/${cgName}`,
      constraint: 'cgroup',
      rssBytes: rss,
    });
    expect(Number.isNaN(Date.parse(String(hook.time)))).toBe(false);
    await waitFor(
      '--on-oom logged',
      () => (agent.stderr().includes('--on-oom: command finished') ? true : undefined),
      10000,
      50,
    );
    console.log(`real OOM kill seen: pid ${victim.pid} comm ${comm} rss ${rss} bytes in /${cgName}`);
  }, 60000);
});
