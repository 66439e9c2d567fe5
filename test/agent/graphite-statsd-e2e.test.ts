import * as fs from 'fs';
import { spawnCli } from '../support/cli';
import { startMemoryChild, vmRssBytes } from '../support/memory-child';
import { Spawned, waitFor } from '../support/processes';
import { startCarbon, whisperFetch, whisperFile, type Carbon } from '../../bench/harness/carbon';
import { startStatsd } from '../../bench/harness/statsd';
import { hang, startFakeGateway } from '../../bench/harness/fake-gateway';

/*
 * The graphite and statsd sinks against the real things: Debian's
 * carbon-cache and the reference statsd daemon flushing into it. Carbon keeps
 * only this test's paths (its whitelist), so `--top 100000` (every process
 * exported, the child among them whatever else runs here) creates no
 * thousands of whisper files.
 */
const PREFIX = 'hptest';
// A comm with a space, a dot and a slash: each becomes `_` in the path.
const TITLE = 'hp gr.mem/x';
const COMM_ELEMENT = 'hp_gr_mem_x';

const agentArgs = (instance: string, sinkArgs: string[]): string[] => [
  'run',
  ...sinkArgs,
  '--graphite-prefix',
  PREFIX,
  '--instance',
  instance,
  '--interval',
  '1s',
  '--top',
  '100000',
  '--collectors',
  'processes,host',
  '--log-format',
  'json',
];

describe('graphite and statsd sinks into a real carbon-cache', () => {
  let carbon: Carbon;
  let child: Spawned;
  const running: Array<{ stop(): Promise<void> }> = [];

  beforeAll(async () => {
    carbon = await startCarbon({ keep: [`^${PREFIX}\\.`] });
    child = await startMemoryChild(64, TITLE);
  });

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop();
    await child?.stop();
    await carbon?.remove();
  });

  /** Points of a path since `fromSec` once it has at least `n` values. */
  const points = (path: string, n: number, fromSec: number): Promise<Array<[number, number]>> =>
    waitFor(
      `${n} points of ${path} in whisper`,
      async () => {
        const file = whisperFile(carbon.whisperDir, path);
        if (!fs.existsSync(file)) return undefined;
        const values = (await whisperFetch(file, fromSec)).filter((p): p is [number, number] => p[1] !== null);
        return values.length >= n ? values : undefined;
      },
      60000,
      500,
    );

  it("--sink graphite: after two cycles the child's rss and vsz are in whisper under <prefix>.<host>.<comm>.<pid>, the RSS within 2% of /proc", async () => {
    const from = Math.floor(Date.now() / 1000) - 1;
    const agent = spawnCli(
      agentArgs('graphite-e2e.example', ['--sink', 'graphite', '--graphite-address', `127.0.0.1:${carbon.port}`]),
    );
    running.push(agent);
    // The hostname's dot is sanitised too.
    const base = `${PREFIX}.graphite-e2e_example`;
    const rss = await points(`${base}.${COMM_ELEMENT}.${child.pid}.rss`, 2, from);
    const vsz = await points(`${base}.${COMM_ELEMENT}.${child.pid}.vsz`, 2, from);
    const kernel = vmRssBytes(child.pid);
    expect(kernel).toBeGreaterThan(64 * 1024 * 1024);
    const last = rss[rss.length - 1][1];
    expect(Math.abs(last - kernel) / kernel).toBeLessThan(0.02);
    expect(vsz[vsz.length - 1][1]).toBeGreaterThan(last);
    // Stamped with the sampling second: within the test's run, not carbon's arrival time of some later second.
    expect(rss[0][0]).toBeGreaterThanOrEqual(from);
    expect(rss[rss.length - 1][0]).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // The rest of the contract: groups, host, counters as running totals.
    const [[, processes]] = await points(`${base}.groups.${COMM_ELEMENT}.processes`, 1, from);
    expect(processes).toBe(1);
    const available = await points(`${base}.host.memory_available`, 1, from);
    expect(available[0][1]).toBeGreaterThan(0);
    const idle = await points(`${base}.host.cpu_seconds.idle`, 2, from);
    expect(idle[idle.length - 1][1]).toBeGreaterThanOrEqual(idle[0][1]);
    await agent.stop();
    expect(agent.stderr()).not.toContain('"level":"warn"');
  });

  it('--sink statsd: the reference statsd daemon delivers the same gauges under the same paths', async () => {
    const statsd = await startStatsd(carbon.port);
    running.push(statsd);
    const from = Math.floor(Date.now() / 1000) - 1;
    const agent = spawnCli(
      agentArgs('statsd-e2e', ['--sink', 'statsd', '--statsd-address', `127.0.0.1:${statsd.port}`]),
    );
    running.push(agent);
    const base = `${PREFIX}.statsd-e2e`;
    const rss = await points(`${base}.${COMM_ELEMENT}.${child.pid}.rss`, 2, from);
    const kernel = vmRssBytes(child.pid);
    expect(Math.abs(rss[rss.length - 1][1] - kernel) / kernel).toBeLessThan(0.02);
    const vsz = await points(`${base}.${COMM_ELEMENT}.${child.pid}.vsz`, 1, from);
    expect(vsz[0][1]).toBeGreaterThan(rss[0][1]);
    const [[, processes]] = await points(`${base}.groups.${COMM_ELEMENT}.processes`, 1, from);
    expect(processes).toBe(1);
    // Nothing was refused: every datagram went out.
    const [[, dropped]] = await points(`${base}.agent.samples_dropped.statsd.send_failed`, 1, from);
    expect(dropped).toBe(0);
    await agent.stop();
  });

  it('--sink graphite --sink statsd with statsd stopped: graphite gets every cycle, the statsd drops are counted and logged once', async () => {
    // A port nothing listens on: the kernel answers each datagram with port-unreachable.
    const statsd = await startStatsd(carbon.port);
    const deadPort = statsd.port;
    await statsd.stop();
    const from = Math.floor(Date.now() / 1000) - 1;
    const agent = spawnCli(
      agentArgs('two-sinks', [
        '--sink',
        'graphite',
        '--sink',
        'statsd',
        '--graphite-address',
        `127.0.0.1:${carbon.port}`,
        '--statsd-address',
        `127.0.0.1:${deadPort}`,
      ]),
    );
    running.push(agent);
    const base = `${PREFIX}.two-sinks`;
    const dropped = await waitFor(
      'statsd drops counted',
      async () => {
        const p = await points(`${base}.agent.samples_dropped.statsd.send_failed`, 1, from);
        return p[p.length - 1][1] > 0 ? p : undefined;
      },
      60000,
      500,
    );
    expect(dropped.length).toBeGreaterThan(0);
    // Graphite went on meanwhile, cycle after cycle.
    const available = await points(`${base}.host.memory_available`, 5, from);
    expect(available.length).toBeGreaterThanOrEqual(5);
    const warnings = agent
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"level":"warn"'));
    expect(warnings.filter((l) => l.includes('statsd send failed'))).toHaveLength(1);
    expect(warnings.filter((l) => !l.includes('statsd send failed'))).toEqual([]);
    await agent.stop();
  });

  it('--sink pushgateway --sink graphite with a gateway that never answers: graphite still gets a point every second', async () => {
    const gateway = await startFakeGateway(hang, { record: false });
    running.push(gateway);
    const from = Math.floor(Date.now() / 1000) - 1;
    // Each push hangs for 5 s, five intervals: the loop must not wait for it.
    const agent = spawnCli(
      agentArgs('hung-gateway', [
        '--sink',
        'pushgateway',
        '--pushgateway-url',
        gateway.url,
        '--push-timeout',
        '5s',
        '--sink',
        'graphite',
        '--graphite-address',
        `127.0.0.1:${carbon.port}`,
      ]),
    );
    running.push(agent);
    const base = `${PREFIX}.hung-gateway`;
    const available = await points(`${base}.host.memory_available`, 12, from);
    const seconds = available.map(([t]) => t);
    // Stamped with their ticks, 1 s apart: twelve points over twelve consecutive seconds.
    expect(seconds[seconds.length - 1] - seconds[0]).toBe(seconds.length - 1);
    const [[, failures]] = (await points(`${base}.agent.sink_failures.pushgateway`, 1, from)).slice(-1);
    expect(failures).toBeGreaterThan(0);
    const [[, graphiteFailures]] = (await points(`${base}.agent.sink_failures.graphite`, 1, from)).slice(-1);
    expect(graphiteFailures).toBe(0);
    await agent.stop();
  });
});
