import * as path from 'path';
import { spawnCli } from '../support/cli';
import { startFakeGateway } from '../support/fake-gateway';
import { waitFor } from '../support/processes';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const agentArgs = (url: string, interval: string, ...extra: string[]) => [
  'run',
  '--pushgateway-url',
  url,
  '--interval',
  interval,
  '--instance',
  'failing-host',
  '--procfs-root',
  FIXTURE_PROC,
  '--log-format',
  'json',
  ...extra,
];

describe('a failing push', () => {
  it('is logged with status and body once, counted, and the count arrives with the next good push', async () => {
    const gw = await startFakeGateway((_req, res, n) => {
      if (n <= 3) {
        res.writeHead(500).end('boom: storage full');
      } else {
        res.writeHead(200).end();
      }
    });
    const agent = spawnCli(agentArgs(gw.url, '200ms'));
    try {
      await waitFor('a successful push after failures', () => (gw.received.length >= 5 ? true : undefined));
      expect(gw.received[0].method).toBe('PUT');
      expect(gw.received[0].headers['content-encoding']).toBe('gzip');
      expect(gw.received[0].url).toBe('/metrics/job/hostpulse/instance/failing-host');
      // The failures rendered before push 4 are in push 4's body; the counter never resets.
      expect(gw.received[3].body).toMatch(/^hostpulse_agent_push_failures_total 3$/m);
      await agent.stop();
      const warnings = agent
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"level":"warn"') && l.includes('push failed'));
      // Three failures of one kind: one warning, not three.
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('HTTP 500: boom: storage full');
      expect(agent.stderr()).toContain('push recovered');
    } finally {
      await agent.stop();
      await gw.stop();
    }
  });

  it('that hangs does not hold up SIGTERM: exit 0 within the 2 s budget', async () => {
    const gw = await startFakeGateway(() => {
      /* never answers */
    });
    const agent = spawnCli(agentArgs(gw.url, '1s', '--push-timeout', '30s'));
    try {
      await waitFor('a push in flight', () => (gw.received.length >= 1 ? true : undefined));
      const t0 = Date.now();
      agent.child.kill('SIGTERM');
      const { code } = await agent.exited;
      expect(code).toBe(0);
      // The agent gives the push 1.5 s. Only a stop that waited for the hung push
      // would reach its 30 s timeout; a busy machine may add seconds, not tens of them.
      expect(Date.now() - t0).toBeLessThan(15000);
      expect(gw.received).toHaveLength(1);
    } finally {
      await agent.stop();
      await gw.stop();
    }
  });

  it('that times out is counted and retried next cycle, with one push in flight at most', async () => {
    let maxOpen = 0;
    const gw = await startFakeGateway(() => {
      maxOpen = Math.max(maxOpen, gw.openSockets());
    });
    const agent = spawnCli(agentArgs(gw.url, '200ms', '--push-timeout', '300ms'));
    try {
      await waitFor('several timed-out pushes', () => (gw.received.length >= 4 ? true : undefined));
      expect(maxOpen).toBe(1);
      await agent.stop();
      expect(agent.stderr()).toContain('no answer within 300ms');
    } finally {
      await agent.stop();
      await gw.stop();
    }
  });
});
