import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import { ProcessesCollector } from '../../agent/collectors/processes';
import { SampleProblems } from '../../agent/collectors/problems';
import { createLogger } from '../../agent/log';
import { AgentMetrics } from '../../agent/metrics/agent-metrics';
import { renderExposition, snapshot } from '../../agent/metrics/exposition';
import { GroupAccumulator } from '../../agent/grouping/group-accumulator';
import { COMM_GROUPER, createGrouper, type Grouper } from '../../agent/grouping/grouper';
import { createProcfsInspector, createProcfsProcessSampler } from '../../platforms/procfs';
import { parseExposition, type Sample } from '../support/exposition';

/**
 * The processes collector over the real /proc, with real processes in a real
 * cgroup v1 memory hierarchy this test creates (named like a unit, as
 * systemd would: no systemd runs here).
 */
const CGROUP = '/sys/fs/cgroup/memory/hp-test.service';
const canCgroup = process.getuid?.() === 0 && fs.existsSync('/sys/fs/cgroup/memory/cgroup.procs');
if (!canCgroup)
  console.log(
    `groups-real: skipping the cgroup case: needs root and a cgroup v1 memory hierarchy at /sys/fs/cgroup/memory`,
  );

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  if (fs.existsSync(CGROUP)) {
    // The killed children leave the cgroup asynchronously; rmdir is retried until it is empty.
    for (let i = 0; i < 50; i++) {
      try {
        fs.rmdirSync(CGROUP);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EBUSY') throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
      }
    }
  }
});

const start = (cmd: string): ChildProcess => {
  const c = spawn('sh', ['-c', cmd], { stdio: 'ignore' });
  children.push(c);
  return c;
};

function collector(
  top: { rss: number; cpu: number; maxGroups: number },
  grouper: (onError: (r: string, d: string) => void) => Grouper,
) {
  const agent = new AgentMetrics();
  const problems = new SampleProblems(agent, createLogger('error', 'json'), new Set());
  const sampler = createProcfsProcessSampler({ procfsRoot: '/proc', commandTimeoutMs: 1000, onError: problems.sink });
  const c = new ProcessesCollector(
    sampler,
    { ...top, hold: 0 },
    problems,
    new GroupAccumulator(),
    grouper(problems.sink),
  );
  return {
    async collect(): Promise<Sample[]> {
      await c.collect(new AbortController().signal);
      return parseExposition(renderExposition(await snapshot(c.families)));
    },
    close: () => c.close(),
  };
}

const series = (s: Sample[], name: string) => s.filter((x) => x.name === name);
const sum = (s: Sample[]) => s.reduce((a, x) => a + x.value, 0);

(canCgroup ? it : it.skip)(
  '--group-by cgroup: the hp-test.service group holds its processes, and its RSS is their sum',
  async () => {
    fs.mkdirSync(CGROUP, { recursive: true });
    // Each child moves itself into the cgroup, then execs a sleep holding a few MB of its own memory.
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c = start(`echo $$ > ${CGROUP}/cgroup.procs && exec sleep 600`);
      pids.push(c.pid!);
    }
    await waitUntil(
      () =>
        fs.readFileSync(`${CGROUP}/cgroup.procs`, 'utf8').trim().split('\n').length === 3 &&
        pids.every((p) => readComm(p) === 'sleep'),
    );
    const c = collector({ rss: 100_000, cpu: 0, maxGroups: 100_000 }, (onError) =>
      createGrouper(
        'cgroup',
        createProcfsInspector({ procfsRoot: '/proc', commandTimeoutMs: 1000, onError }),
        new Map(),
        [],
      ),
    );
    try {
      const out = await c.collect();
      expect(series(out, 'hostpulse_group_processes').find((x) => x.labels.group === 'hp-test.service')?.value).toBe(3);
      const groupRss = series(out, 'hostpulse_group_resident_memory_bytes').find(
        (x) => x.labels.group === 'hp-test.service',
      )!.value;
      const perPid = series(out, 'hostpulse_process_resident_memory_bytes').filter((x) =>
        pids.includes(Number(x.labels.pid)),
      );
      expect(perPid).toHaveLength(3);
      expect(groupRss).toBeGreaterThan(0);
      expect(groupRss).toBe(sum(perPid));
      expect(series(out, 'hostpulse_group_processes').find((x) => x.labels.group === 'kernel')?.value).toBeGreaterThan(
        0,
      );
    } finally {
      c.close();
    }
  },
);

it('--top-cpu exports a CPU-burning process with little memory, which --top by RSS alone does not', async () => {
  const burner = start('while :; do :; done');
  const pid = String(burner.pid);
  const run = async (cpu: number): Promise<Sample[]> => {
    const c = collector({ rss: 1, cpu, maxGroups: 100 }, () => COMM_GROUPER);
    try {
      await c.collect();
      await new Promise((r) => setTimeout(r, 500));
      return await c.collect();
    } finally {
      c.close();
    }
  };
  const rssPids = (s: Sample[]) => series(s, 'hostpulse_process_resident_memory_bytes').map((x) => x.labels.pid);
  expect(rssPids(await run(0))).not.toContain(pid);
  expect(rssPids(await run(20))).toContain(pid);
});

it('--max-groups 3: three group series, and their sums equal the sums over every process', async () => {
  const c = collector({ rss: 100_000, cpu: 0, maxGroups: 3 }, () => COMM_GROUPER);
  try {
    const out = await c.collect();
    const groups = series(out, 'hostpulse_group_processes');
    expect(groups).toHaveLength(3);
    expect(groups.map((g) => g.labels.group)).toContain('other');
    expect(sum(groups)).toBe(series(out, 'hostpulse_agent_processes').find((x) => x.labels.state === 'seen')!.value);
    expect(sum(series(out, 'hostpulse_group_resident_memory_bytes'))).toBe(
      sum(series(out, 'hostpulse_process_resident_memory_bytes')),
    );
    // Far more than 3 comms run on any Linux host (kernel threads alone): some were folded.
    expect(series(out, 'hostpulse_agent_groups_folded')[0].value).toBeGreaterThan(0);
  } finally {
    c.close();
  }
});

function readComm(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met within 5 s');
}
