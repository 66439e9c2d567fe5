import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI, cliEnv, requireBuiltCli } from '../support/cli';
import { CLIENT_PY, GATEWAY_JS, makeTopology, netnsUnavailable, SERVER_PY, type Topology } from '../support/netns';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * Who --block-scanners blocks, in network namespaces this test makes. The
 * agent runs in the server namespace, which listens on 8081-8085 and routes
 * between its peers: `lb` (a load balancer's health checker), `scn` (a
 * scanner) and `far` (a host behind this one, listening on 8081-8085 too).
 */
const why = netnsUnavailable(['nft', 'conntrack']);
if (why) console.warn(`SKIPPED scan-blocking netns test: ${why}`);

const OPEN = '8081,8082,8083,8084,8085';
const CLOSED = '9001,9002,9003,9004,9005';

type Line = { level: string; message: string; event?: string; source?: string; [k: string]: unknown };
const lines = (agent: Spawned): Line[] =>
  agent
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

(why ? describe.skip : describe)(
  'scan blocking blocks scanners, not health checkers or forwarded traffic (root, ip netns)',
  () => {
    let topo: Topology;
    const children: Spawned[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-scanblock-'));

    const connect = (peer: string, host: string, ports: string, timeoutMs = 3000) =>
      JSON.parse(
        topo.exec(topo.peers[peer].ns, ['python3', '-c', CLIENT_PY, host, ports, '300', String(timeoutMs)]),
      ) as Array<{
        port: number;
        ok: boolean;
      }>;
    const startAgent = (extra: string[]): Spawned => {
      const a = spawnTracked(
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
          '--interval',
          '1s',
          '--connections-interval',
          '300ms',
          '--log-format',
          'json',
          '--block-scanners',
          '--block-for',
          '1m',
          ...extra,
        ],
        { env: cliEnv() },
      );
      children.push(a);
      return a;
    };
    const ready = (a: Spawned) =>
      waitFor(
        'agent ready',
        () => (lines(a).some((l) => l.message.includes('open at start')) ? true : undefined),
        15000,
        50,
      );

    beforeAll(async () => {
      requireBuiltCli();
      topo = makeTopology(`hps${process.pid % 1000}`, ['lb', 'scn', 'far'], 61);
      const { lb, scn, far } = topo.peers;
      // The server namespace routes: lb reaches far through it (and far answers back through it).
      topo.exec(topo.server, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      const farNet = far.address.replace(/\.\d+$/, '.0/24');
      topo.exec(lb.ns, ['ip', 'route', 'add', farNet, 'via', lb.serverAddress]);
      topo.exec(far.ns, ['ip', 'route', 'add', lb.address.replace(/\.\d+$/, '.0/24'), 'via', far.serverAddress]);
      expect(scn.address).toBeDefined();
      const server = spawnTracked('ip', ['netns', 'exec', topo.server, 'python3', '-c', SERVER_PY, '0.0.0.0', OPEN]);
      const farServer = spawnTracked('ip', ['netns', 'exec', far.ns, 'python3', '-c', SERVER_PY, '0.0.0.0', OPEN]);
      const gateway = spawnTracked('ip', [
        'netns',
        'exec',
        topo.server,
        process.execPath,
        '-e',
        GATEWAY_JS,
        '9091',
        path.join(dir, 'push.txt'),
      ]);
      children.push(server, farServer, gateway);
      await waitFor(
        'servers and gateway listening',
        () => ([server, farServer, gateway].every((p) => p.stdout().includes('listening')) ? true : undefined),
        10000,
        50,
      );
    });

    afterAll(async () => {
      for (const c of children.reverse()) await c.stop();
      topo?.destroy();
    });

    it('poll mode (the default): a health checker touching every open port is reported, never blocked', async () => {
      const agent = startAgent([]);
      await ready(agent);
      await waitFor(
        'the poll-mode warning',
        () => (lines(agent).some((l) => l.event === 'block_poll_mode') ? true : undefined),
        10000,
        50,
      );
      const lb = topo.peers.lb;
      expect(connect('lb', lb.serverAddress, OPEN).every((a) => a.ok)).toBe(true);
      await waitFor(
        'the scan reported',
        () => (lines(agent).some((l) => l.message.startsWith(`Port scan detected: ${lb.address}`)) ? true : undefined),
        10000,
        100,
      );
      // Give a block every chance to happen (the agent blocks within a poll of seeing the scan): the checker still gets in.
      for (let i = 0; i < 3; i++) expect(connect('lb', lb.serverAddress, '8081', 2000)[0].ok).toBe(true);
      expect(lines(agent).filter((l) => l.event === 'tcp_block')).toEqual([]);
      await agent.stop();
    }, 60000);

    it('conntrack: a probe of closed ports is blocked; open ports and traffic forwarded through the host are not', async () => {
      const agent = startAgent(['--connections-source', 'conntrack']);
      await ready(agent);
      const { lb, scn, far } = topo.peers;

      // Forwarded: lb to far's five open ports, through this host. Not this host's connections.
      expect(connect('lb', far.address, OPEN).every((a) => a.ok)).toBe(true);
      // The health checker on this host's five open ports.
      expect(connect('lb', lb.serverAddress, OPEN).every((a) => a.ok)).toBe(true);
      // The scanner on five closed ports (refused at once).
      expect(connect('scn', scn.serverAddress, CLOSED).every((a) => !a.ok)).toBe(true);

      await waitFor(
        'the scanner blocked',
        () => (lines(agent).some((l) => l.event === 'tcp_block' && l.source === scn.address) ? true : undefined),
        15000,
        100,
      );
      expect(connect('scn', scn.serverAddress, '8081', 1500)[0].ok).toBe(false);
      expect(connect('lb', lb.serverAddress, '8081', 2000)[0].ok).toBe(true);
      expect(
        lines(agent)
          .filter((l) => l.event === 'tcp_block')
          .map((l) => l.source),
      ).toEqual([scn.address]);
      // Nothing lb sent to far was taken for a connection to this host.
      const toFar = lines(agent).filter(
        (l) => l.event === 'tcp_connection' && (l.local_address === far.address || l.remote_address === far.address),
      );
      expect(toFar).toEqual([]);
      await agent.stop();
    }, 60000);
  },
);
