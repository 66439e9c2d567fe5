import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, cliEnv, requireBuiltCli } from '../support/cli';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * --on-oom with the real agent. The kernel log is a regular file the test
 * appends kill records to (the follower reads a file the way it reads
 * /dev/kmsg), so no real OOM kill is needed to start the hook.
 */
let seq = 1000;
function killRecords(pid: number, comm: string, cgroup: string): string {
  const s = seq;
  seq += 2;
  return (
    `6,${s},${s}000,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,` +
    `oom_memcg=${cgroup},task_memcg=${cgroup},task=${comm},pid=${pid},uid=0\n` +
    `3,${s + 1},${s + 1}000,-;Memory cgroup out of memory: Killed process ${pid} (${comm}) total-vm:75176kB, ` +
    `anon-rss:65152kB, file-rss:6664kB, shmem-rss:0kB, UID:0 pgtables:184kB oom_score_adj:0\n`
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

const jsonLines = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function startAgent(gw: FakeGateway, kmsg: string, hook: string, wrap: string[] = []): Spawned {
  const args = [
    CLI,
    'run',
    '--pushgateway-url',
    gw.url,
    '--interval',
    '300ms',
    '--collectors',
    'host,oom',
    '--kmsg-path',
    kmsg,
    '--instance',
    'on-oom-hook-test',
    '--log-format',
    'json',
    '--on-oom',
    hook,
    '--on-oom-timeout',
    '1s',
  ];
  const [cmd, ...rest] = [...wrap, process.execPath, ...args];
  // A secret in the agent's environment: the hook must not see it.
  return spawnTracked(cmd, rest, { env: cliEnv({ API_TOKEN: 'hunter2' }) });
}

/** Resolves once this agent has pushed: its kernel log is open and what was in it skipped. */
async function firstPush(gw: FakeGateway, instance = 'on-oom-hook-test', since = gw.received.length): Promise<void> {
  await waitFor(
    'first push',
    () => (gw.received.slice(since).some((r) => r.url.includes(instance)) ? true : undefined),
    20000,
    50,
  );
}

describe('--on-oom with the real agent', () => {
  beforeAll(requireBuiltCli);
  let gw: FakeGateway;
  let agent: Spawned | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'on-oom-hook-'));
  fs.chmodSync(dir, 0o777); // the unprivileged agent below writes here too
  const grandchildren: number[] = [];

  beforeAll(async () => {
    gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
  });
  afterAll(async () => {
    for (const pid of grandchildren) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await gw.stop();
  });

  it('at the timeout the whole group dies (a grandchild holding the pipes too), the run completes, the next kill runs', async () => {
    const kmsg = path.join(dir, 'kmsg-timeout');
    fs.writeFileSync(kmsg, '');
    // The hook forks a grandchild that hangs holding stdin/stderr, records its pid, then waits for it.
    const hook =
      `n=$HOSTPULSE_OOM_PID; sleep 300 & echo $! > ${dir}/grandchild.$n; ` +
      `env > ${dir}/env.$n; cat > ${dir}/event.$n; wait`;
    const since = gw.received.length;
    agent = startAgent(gw, kmsg, hook);
    await firstPush(gw, undefined, since);
    fs.appendFileSync(kmsg, killRecords(101, 'first', '/system.slice/a.service'));
    fs.appendFileSync(kmsg, killRecords(102, 'second', '/system.slice/b.service'));

    const timeouts = await waitFor(
      'both runs ended by their timeout',
      () => {
        const t = jsonLines(agent!.stderr()).filter((l) => l.message === '--on-oom: command killed after 1000 ms');
        return t.length === 2 ? t : undefined;
      },
      30000,
      100,
    );
    expect(timeouts.map((t) => t.pid)).toEqual([101, 102]);
    for (const n of [101, 102]) {
      const gc = Number(fs.readFileSync(path.join(dir, `grandchild.${n}`), 'utf8'));
      grandchildren.push(gc);
      await waitFor(`grandchild ${gc} gone`, () => (alive(gc) ? undefined : true), 10000, 50);
    }
    // Only PATH and the documented variables: no agent secrets, no HOME, no HOSTPULSE_* of the agent.
    const env = fs
      .readFileSync(path.join(dir, 'env.101'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.slice(0, l.indexOf('=')))
      .filter((k) => k !== 'PWD' && k !== 'SHLVL' && k !== '_'); // set by sh itself
    expect(env.sort()).toEqual(
      [
        'PATH',
        'HOSTPULSE_OOM_CGROUP',
        'HOSTPULSE_OOM_COMM',
        'HOSTPULSE_OOM_CONSTRAINT',
        'HOSTPULSE_OOM_HOST',
        'HOSTPULSE_OOM_INSTANCE',
        'HOSTPULSE_OOM_JOB',
        'HOSTPULSE_OOM_OOM_CGROUP',
        'HOSTPULSE_OOM_PID',
        'HOSTPULSE_OOM_RSS_BYTES',
        'HOSTPULSE_OOM_TIME',
        'HOSTPULSE_OOM_UID',
      ].sort(),
    );
    expect(fs.readFileSync(path.join(dir, 'env.101'), 'utf8')).toContain(
      'HOSTPULSE_OOM_CGROUP=/system.slice/a.service',
    );
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'event.102'), 'utf8'))).toMatchObject({
      pid: 102,
      comm: 'second',
    });
  }, 60000);

  it('a hook that exits leaving a helper in its group completes at once; the helper is ended', async () => {
    const kmsg = path.join(dir, 'kmsg-exit');
    fs.writeFileSync(kmsg, '');
    const hook = `(sleep 300; echo late >&2) & echo $! > ${dir}/helper.$HOSTPULSE_OOM_PID; echo done >&2; exit 0`;
    const since = gw.received.length;
    agent = startAgent(gw, kmsg, hook);
    await firstPush(gw, undefined, since);
    fs.appendFileSync(kmsg, killRecords(201, 'third', '/system.slice/c.service'));
    const finished = await waitFor(
      'the run finished',
      () => jsonLines(agent!.stderr()).find((l) => l.message === '--on-oom: command finished'),
      20000,
      100,
    );
    expect(finished).toMatchObject({ pid: 201, exit_code: 0, stderr: 'done' });
    const helper = Number(fs.readFileSync(path.join(dir, 'helper.201'), 'utf8'));
    grandchildren.push(helper);
    await waitFor(`helper ${helper} gone`, () => (alive(helper) ? undefined : true), 10000, 50);
  }, 60000);

  const whyNoCaps =
    process.getuid?.() !== 0
      ? 'not root (starting the agent with ambient capabilities as another user needs it)'
      : fs.existsSync('/usr/bin/setpriv')
        ? undefined
        : 'no /usr/bin/setpriv';
  if (whyNoCaps) console.warn(`SKIPPED --on-oom capability test: ${whyNoCaps}`);
  (whyNoCaps ? it.skip : it)(
    'an agent holding ambient CAP_SYSLOG and CAP_NET_ADMIN (as the unit grants) starts the hook without them',
    async () => {
      const kmsg = path.join(dir, 'kmsg-caps');
      fs.writeFileSync(kmsg, '');
      fs.chmodSync(kmsg, 0o644);
      const hook = `grep ^Cap /proc/self/status > ${dir}/caps.$HOSTPULSE_OOM_PID`;
      const asService = [
        '/usr/bin/setpriv',
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--inh-caps=+syslog,+net_admin',
        '--ambient-caps=+syslog,+net_admin',
        '--',
      ];
      const since = gw.received.length;
      agent = startAgent(gw, kmsg, hook, asService);
      await firstPush(gw, undefined, since);
      fs.appendFileSync(kmsg, killRecords(301, 'fourth', '/system.slice/d.service'));
      const caps = await waitFor(
        'the hook ran',
        () => {
          const f = path.join(dir, 'caps.301');
          const t = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
          return t.includes('CapAmb') ? t : undefined;
        },
        20000,
        100,
      );
      const cap = (name: string): string => new RegExp(`^${name}:\\s*([0-9a-f]+)`, 'm').exec(caps)![1];
      expect(cap('CapAmb')).toMatch(/^0+$/);
      expect(cap('CapInh')).toMatch(/^0+$/);
      expect(cap('CapEff')).toMatch(/^0+$/);
      expect(cap('CapPrm')).toMatch(/^0+$/);
    },
    60000,
  );
});
