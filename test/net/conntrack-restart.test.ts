import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, cliEnv, requireBuiltCli } from '../support/cli';
import { parseExposition } from '../support/exposition';
import { GATEWAY_JS, makeTopology, netnsUnavailable, type Topology } from '../support/netns';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';
import { parseConntrackNew } from '../../platforms/net/conntrack-event';

/**
 * `--connections-source conntrack` when conntrack dies: the `conntrack` first
 * on PATH is a script replaying a captured `conntrack -E -e NEW -p tcp` stream.
 * Its first run prints three events and exits 1, its second exits at once,
 * its third prints the other three and stays. The agent runs in a network
 * namespace this test creates (its nftables table goes there), with a
 * stand-in Pushgateway on that namespace's loopback.
 */
const why = netnsUnavailable(['nft', 'stdbuf']);
if (why) console.warn(`SKIPPED conntrack restart test: ${why}`);

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'net', 'netns-loopback-conntrack-E-new.txt');

const FAKE_CONNTRACK = `#!/bin/bash
# A stand-in for conntrack (tests): -C answers as the real one does; -E replays captured events.
dir="$FAKE_CONNTRACK_DIR"
if [ "$1" = "-C" ]; then echo 0; exit 0; fi
n=$(( $(cat "$dir/runs" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$dir/runs"
date +%s%3N >> "$dir/starts"
case "$n" in
  1) head -n 3 "$dir/events"; echo "conntrack v1.4.7 (conntrack-tools): 3 flow events have been shown." >&2; exit 1 ;;
  2) exit 1 ;;
  *) tail -n +4 "$dir/events"; exec sleep 3600 ;;
esac
`;

type Line = { level: string; message: string; event?: string; [k: string]: unknown };
const lines = (agent: Spawned): Line[] =>
  agent
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

(why ? describe.skip : describe)('conntrack -E restarted with back-off when it dies (root, ip netns, nft)', () => {
  let topo: Topology | undefined;
  let gateway: Spawned | undefined;
  let agent: Spawned | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-ctr-'));
  const bin = path.join(dir, 'bin');
  const pushed = path.join(dir, 'push.txt');

  afterAll(async () => {
    await agent?.stop();
    await gateway?.stop();
    topo?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the events before and after, counts the restarts, logs the outage once and the return once', async () => {
    requireBuiltCli();
    const captured = fs.readFileSync(FIXTURE, 'utf8').trim().split('\n');
    const events = captured.map((l) => parseConntrackNew(l));
    expect(events).toHaveLength(6);
    expect(events.every((e) => e?.src === '127.0.0.1' && e.dport === 8443)).toBe(true);
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'conntrack'), FAKE_CONNTRACK, { mode: 0o755 });
    fs.copyFileSync(FIXTURE, path.join(dir, 'events'));

    topo = makeTopology(`hpct${process.pid % 1000}`, [], 0);
    gateway = spawnTracked('ip', ['netns', 'exec', topo.server, process.execPath, '-e', GATEWAY_JS, '9091', pushed]);
    await waitFor('gateway listening', () => (gateway?.stdout().includes('listening') ? true : undefined), 10000, 50);
    const env = cliEnv({ PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, FAKE_CONNTRACK_DIR: dir });
    agent = spawnTracked(
      'ip',
      [
        'netns',
        'exec',
        topo.server,
        process.execPath,
        CLI,
        'run',
        '--pushgateway-url',
        'http://127.0.0.1:9091',
        '--collectors',
        'connections',
        '--connections-source',
        'conntrack',
        '--interval',
        '1s',
        '--log-format',
        'json',
        '--log-level',
        'info',
        '--instance',
        'ct-restart',
      ],
      { env },
    );
    const running = agent;

    const expected = events.map((e) => `: New connection: 127.0.0.1:${e!.sport} -> 127.0.0.1:8443`);
    const reported = await waitFor(
      'all six events reported',
      () => {
        const found = lines(running)
          .filter((l) => l.event === 'tcp_connection')
          .map((l) => l.message.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, ''));
        return found.length >= 6 ? found : undefined;
      },
      30000,
      100,
    );
    expect(reported).toEqual(expected);

    const restarts = await waitFor(
      'restarts pushed',
      () => {
        const v = fs.existsSync(pushed)
          ? parseExposition(fs.readFileSync(pushed, 'utf8')).find(
              (s) => s.name === 'hostpulse_tcp_conntrack_restarts_total',
            )?.value
          : undefined;
        return v === 2 ? v : undefined;
      },
      15000,
      100,
    );
    expect(restarts).toBe(2);
    expect(fs.readFileSync(path.join(dir, 'runs'), 'utf8').trim()).toBe('3');

    // Back-off: 1 s after the first death, 2 s after the second (lower bounds only).
    const starts = fs.readFileSync(path.join(dir, 'starts'), 'utf8').trim().split('\n').map(Number);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(1000);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(2000);

    // Once per change of state: one warning for the outage (two deaths), one line when events flow again.
    const all = lines(running);
    const down = all.filter((l) => l.event === 'conntrack_down');
    const up = all.filter((l) => l.event === 'conntrack_up');
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ level: 'warn' });
    expect(down[0].message).toMatch(/conntrack -E ended \(exit 1\).*restarting in 1000 ms/);
    expect(up).toHaveLength(1);
    expect(up[0].message).toContain('restarts so far: 2');
    const at = (l: Line) => all.indexOf(l);
    const connIdx = all.filter((l) => l.event === 'tcp_connection').map(at);
    expect(connIdx.slice(0, 3).every((i) => i < at(down[0]))).toBe(true);
    expect(connIdx.slice(3).every((i) => i > at(up[0]))).toBe(true);

    await running.stop();
    expect((await running.exited).code).toBe(0);
  }, 90000);
});
