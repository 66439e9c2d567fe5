import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { fdTargets } from '../../bench/proc-stat';
import { spawnCli } from '../support/cli';
import { startFakeGateway, type Behaviour } from '../support/fake-gateway';
import { freePort, waitFor } from '../support/processes';
import { gatewayMetrics, startPushgateway } from '../support/pushgateway';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const startAgent = (url: string, instance: string, ...extra: string[]) =>
  spawnCli([
    'run',
    '--pushgateway-url',
    url,
    '--interval',
    '300ms',
    '--instance',
    instance,
    '--procfs-root',
    FIXTURE_PROC,
    '--log-format',
    'json',
    ...extra,
  ]);
const warnings = (stderr: string) =>
  stderr.split('\n').filter((l) => l.includes('"level":"warn"') && l.includes('push failed'));
/** Repeats of a failure the agent already warned about: logged at debug only. */
const repeats = (stderr: string) =>
  stderr.split('\n').filter((l) => l.includes('"level":"debug"') && l.includes('push failed again'));
/** TCP sockets a process holds (its stdio socketpairs are not TCP): fd inodes found in /proc/net/tcp{,6}. */
const tcpSockets = (pid: number): number => {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9) inodes.add(cols[9]);
    }
  }
  let n = 0;
  for (const target of fdTargets(pid)) {
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m && inodes.has(m[1])) n++;
  }
  return n;
};

describe('a Pushgateway that is down at start, goes away and comes back', () => {
  it('keeps sampling, logs once per state change, and pushes again after the gateway returns', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Debug level: each repeated failure is a debug line, so the test sees the outages last several cycles.
    const agent = startAgent(url, 'outage', '--log-level', 'debug');
    const failingCycles = async (n: number) =>
      waitFor(`${n} failing cycles`, () => (repeats(agent.stderr()).length >= n ? true : undefined), 20000, 100);
    try {
      await waitFor('the first failure logged', () => (warnings(agent.stderr()).length === 1 ? true : undefined));
      await failingCycles(2);
      let gw = await startPushgateway({ port });
      const present = async () =>
        ((await gatewayMetrics(gw.url)).get('push_time_seconds') ?? []).some((s) => s.labels.instance === 'outage');
      await waitFor('the group in the gateway after it came up', async () => ((await present()) ? true : undefined));
      expect(agent.stderr()).toContain('push recovered');

      await gw.stop();
      const before = repeats(agent.stderr()).length;
      await failingCycles(before + 2); // several failing cycles while it is down, however long they take
      gw = await startPushgateway({ port });
      await waitFor('the group back after the restart', async () => ((await present()) ? true : undefined));
      // Counted before the gateway goes away for good (that would be a third outage).
      const log = agent.stderr();
      await gw.stop();
      // Two outages of three or more failing cycles each, each warned about once.
      expect(warnings(log)).toHaveLength(2);
      expect(log.split('push recovered').length - 1).toBe(2);
      expect(repeats(log).length).toBeGreaterThanOrEqual(4);
      expect(agent.child.exitCode).toBeNull();
    } finally {
      await agent.stop();
    }
  });
});

describe('a hostile Pushgateway', () => {
  const cases: [string, Behaviour, RegExp][] = [
    [
      'answers 400 with a body',
      (_q, res) => res.writeHead(400).end('text format parsing error in line 3'),
      /HTTP 400: text format parsing error in line 3/,
    ],
    ['answers too slowly', (_q, res) => setTimeout(() => res.writeHead(200).end(), 2000), /no answer within 250ms/],
    ['resets the connection', (_q, res) => res.socket?.destroy(), /socket hang up|ECONNRESET/],
    ['never answers', () => undefined, /no answer within 250ms/],
  ];

  it.each(cases)(
    '%s: the push fails, is logged with the reason, counted, and sockets stay bounded',
    async (_what, behaviour, reason) => {
      let maxOpen = 0;
      const gw = await startFakeGateway((req, res, n) => {
        maxOpen = Math.max(maxOpen, gw.openSockets());
        behaviour(req, res, n);
      });
      const agent = startAgent(gw.url, 'hostile', '--push-timeout', '250ms');
      try {
        await waitFor('8 push attempts', () => (gw.received.length >= 8 ? true : undefined), 20000);
        // The count of failures rendered before a push travels in that push.
        const counted = gw.received.map((r) =>
          Number(/^hostpulse_agent_push_failures_total (\d+)$/m.exec(r.body)?.[1]),
        );
        expect(counted[7]).toBe(7);
        expect(maxOpen).toBe(1);
        expect(tcpSockets(agent.pid)).toBeLessThanOrEqual(1);
        expect(warnings(agent.stderr())).toHaveLength(1);
        expect(warnings(agent.stderr())[0]).toMatch(reason);
      } finally {
        await agent.stop();
        await gw.stop();
      }
      expect((await agent.exited).code).toBe(0);
    },
  );

  it('a server that is not HTTP at all', async () => {
    const srv = net.createServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    const agent = startAgent(`http://127.0.0.1:${port}`, 'not-http');
    try {
      await waitFor('the failure logged', () => (warnings(agent.stderr()).length === 1 ? true : undefined));
      expect(warnings(agent.stderr())[0]).toMatch(/push failed: 127\.0\.0\.1:\d+: Parse Error/);
    } finally {
      await agent.stop();
      srv.close();
    }
  });
});
