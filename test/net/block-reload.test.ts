import { spawnSync } from 'child_process';
import { CLI, cliEnv, requireBuiltCli } from '../support/cli';
import { CLIENT_PY, GATEWAY_JS, makeTopology, netnsUnavailable, SERVER_PY, type Topology } from '../support/netns';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * --block-scanners across a SIGHUP reload: the new generation of the collector
 * takes the nftables table before the old one lets go of it (reference
 * counted), so a block placed before the reload stays in force after it, and
 * the table goes only at exit. In namespaces this test creates, as
 * connections-netns.test.ts does: the agent in the server namespace, a client
 * and a scanner each over their own veth pair (10.200.45.0/24, 10.200.46.0/24).
 */
const why = netnsUnavailable(['nft']);
if (why) console.warn(`SKIPPED block-across-reload test: ${why}`);

interface Attempt {
  port: number;
  ok: boolean;
}
type Line = { level: string; message: string; event?: string; [k: string]: unknown };
const lines = (agent: Spawned): Line[] =>
  agent
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

(why ? describe.skip : describe)('--block-scanners survives a SIGHUP reload (root, ip netns, nft)', () => {
  let topo: Topology | undefined;
  const children: Spawned[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-blockhup-'));

  afterAll(async () => {
    for (const c of children) await c.stop();
    topo?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the scanner blocked after the reload, removes the table at exit', async () => {
    requireBuiltCli();
    const t = makeTopology(`hpbh${process.pid % 1000}`, ['cli', 'scn'], 45);
    topo = t;
    const connect = (peer: string, ports: string, holdMs: number, timeoutMs = 3000): Attempt[] => {
      const p = t.peers[peer];
      return JSON.parse(
        t.exec(p.ns, ['python3', '-c', CLIENT_PY, p.serverAddress, ports, String(holdMs), String(timeoutMs)]),
      ) as Attempt[];
    };
    const inSet = () =>
      t.exec(t.server, ['nft', 'list', 'set', 'inet', 'hostpulse', 'scanners4']).includes(t.peers.scn.address);

    const server = spawnTracked('ip', [
      'netns',
      'exec',
      t.server,
      'python3',
      '-c',
      SERVER_PY,
      '0.0.0.0',
      '8081,8082,8083,8084,8085',
    ]);
    const gateway = spawnTracked('ip', [
      'netns',
      'exec',
      t.server,
      process.execPath,
      '-e',
      GATEWAY_JS,
      '9091',
      path.join(dir, 'push.txt'),
    ]);
    children.push(server, gateway);
    await waitFor(
      'server and gateway listening',
      () => (server.stdout().includes('listening') && gateway.stdout().includes('listening') ? true : undefined),
      10000,
      50,
    );

    // ip netns exec execs the agent: the spawned pid is the agent's, so SIGHUP reaches it.
    const agent = spawnTracked(
      'ip',
      [
        'netns',
        'exec',
        t.server,
        process.execPath,
        CLI,
        'run',
        '--pushgateway-url',
        'http://127.0.0.1:9091',
        '--collectors',
        'connections',
        '--interval',
        '1s',
        '--log-format',
        'json',
        '--instance',
        'block-hup',
        '--connections-interval',
        '300ms',
        '--block-scanners',
        '--block-open-port-scans', // the scanner here touches open ports
        '--block-for',
        '10m',
      ],
      { env: cliEnv() },
    );
    children.push(agent);
    await waitFor(
      'agent ready',
      () => (lines(agent).some((l) => l.message.includes('open at start')) ? true : undefined),
      15000,
      50,
    );

    expect(connect('scn', '8081,8082,8083,8084', 1500).every((a) => a.ok)).toBe(true);
    await waitFor(
      'the scanner blocked',
      () => (lines(agent).some((l) => l.event === 'tcp_block' && l.source === t.peers.scn.address) ? true : undefined),
      10000,
      50,
    );
    expect(inSet()).toBe(true);

    process.kill(agent.pid, 'SIGHUP');
    await waitFor(
      'configuration reloaded',
      () => (lines(agent).some((l) => l.message === 'configuration reloaded') ? true : undefined),
      15000,
      100,
    );
    expect(
      lines(agent).some(
        (l) => l.message.startsWith('removing nftables table') || l.message.includes('table inet hostpulse removed'),
      ),
    ).toBe(false);

    // After the reload: still in the set, still dropped; the client still gets in.
    expect(inSet()).toBe(true);
    expect(connect('scn', '8085', 0, 1500)[0]).toMatchObject({ port: 8085, ok: false });
    expect(connect('cli', '8085', 0)[0].ok).toBe(true);

    await agent.stop();
    const exit = await agent.exited;
    expect(exit.code).toBe(0);
    expect(lines(agent).filter((l) => l.message === 'nftables table inet hostpulse removed')).toHaveLength(1);
    expect(spawnSync('ip', ['netns', 'exec', t.server, 'nft', 'list', 'table', 'inet', 'hostpulse']).status).not.toBe(
      0,
    );
  }, 90000);
});
