import { spawnCli } from '../support/cli';
import { startMemoryChild, vmRssBytes } from '../support/memory-child';
import { Spawned, waitFor } from '../support/processes';
import { gatewayMetrics, startPushgateway, RunningServer } from '../support/pushgateway';

const INSTANCE = 'e2e-host';

describe('hostpulse run pushing to a real Pushgateway', () => {
  let gateway: RunningServer;
  let agent: Spawned;
  let child: Spawned;

  beforeAll(async () => {
    gateway = await startPushgateway();
    child = await startMemoryChild(256, 'hp-e2e-mem');
    agent = spawnCli([
      'run',
      '--pushgateway-url',
      gateway.url,
      '--interval',
      '1s',
      '--instance',
      INSTANCE,
      // every process gets per-pid series, so the child is there whatever else runs on the machine
      '--top',
      '100000',
      '--log-format',
      'json',
      // The test checks there is no warning at all: a loaded CI machine must not turn a slow push into one.
      '--push-timeout',
      '5s',
    ]);
  });

  afterAll(async () => {
    await child?.stop();
    await agent?.stop();
    await gateway?.stop();
  });

  const childSeries = async (metric: string) => {
    const m = await gatewayMetrics(gateway.url);
    return (m.get(metric) ?? []).filter((s) => s.labels.pid === String(child.pid) && s.labels.instance === INSTANCE);
  };

  it("pushes the child's RSS within 2% of /proc/<pid>/status VmRSS, with its comm", async () => {
    const [series] = await waitFor('child RSS in the gateway', async () => {
      const s = await childSeries('hostpulse_process_resident_memory_bytes');
      return s.length ? s : undefined;
    });
    expect(series.labels.comm).toBe('hp-e2e-mem');
    expect(series.labels.job).toBe('hostpulse');
    const pushed = Number(series.value);
    const kernel = vmRssBytes(child.pid);
    expect(kernel).toBeGreaterThan(256 * 1024 * 1024);
    expect(Math.abs(pushed - kernel) / kernel).toBeLessThan(0.02);
  });

  it('pushes host metrics and the agent interval the alerts divide by', async () => {
    const m = await gatewayMetrics(gateway.url);
    const one = (name: string) => (m.get(name) ?? []).find((s) => s.labels.instance === INSTANCE);
    expect(Number(one('hostpulse_agent_interval_seconds')?.value)).toBe(1);
    expect(Number(one('hostpulse_host_memory_total_bytes')?.value)).toBeGreaterThan(0);
    expect(Number(one('hostpulse_host_memory_available_bytes')?.value)).toBeGreaterThan(0);
    expect(one('hostpulse_host_load1')).toBeDefined();
    expect((m.get('hostpulse_host_cpu_seconds_total') ?? []).map((s) => s.labels.mode)).toEqual(
      expect.arrayContaining(['user', 'system', 'idle']),
    );
  });

  it('advances push_time_seconds on every push', async () => {
    const pushTime = async () => {
      const m = await gatewayMetrics(gateway.url);
      return Number((m.get('push_time_seconds') ?? []).find((s) => s.labels.instance === INSTANCE)?.value);
    };
    const first = await pushTime();
    await waitFor('a later push', async () => ((await pushTime()) > first ? true : undefined), 10000);
  });

  it("drops the child's series after it exits (the group is replaced whole)", async () => {
    await child.stop();
    await waitFor(
      'child series gone',
      async () => ((await childSeries('hostpulse_process_resident_memory_bytes')).length === 0 ? true : undefined),
      10000,
    );
    expect(await childSeries('hostpulse_process_cpu_seconds_total')).toEqual([]);
  });

  it('stops on SIGTERM with exit code 0 and says so in its log', async () => {
    agent.child.kill('SIGTERM');
    const { code } = await agent.exited;
    expect(code).toBe(0);
    expect(agent.stderr()).toContain('"message":"hostpulse stopped"');
    // No warning of its own; an OOM kill elsewhere on the host (another suite's real OOM test) is rightly reported.
    const warnings = agent
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"level":"warn"') && !l.includes('"event":"oom_kill"'));
    expect(warnings).toEqual([]);
  });
});
