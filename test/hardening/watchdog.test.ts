import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { requireBuiltCli, runCli, spawnCli } from '../support/cli';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway';
import { spawnTracked, waitFor, type Spawned } from '../support/processes';

/**
 * systemd's watchdog, emulated: a unix datagram socket in a temp dir stands
 * in for systemd's NOTIFY_SOCKET and prints every datagram it gets. The real
 * agent must send WATCHDOG=1 while its event loop runs, and nothing while it
 * is stopped (SIGSTOP: no timer of a stopped loop fires).
 */
const LISTENER_PY = String.raw`
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print('listening', flush=True)
while True:
    d = s.recv(4096)
    print('%.3f %s' % (time.monotonic(), d.decode(errors='replace').replace('\n', ' ')), flush=True)
`;

const whyNot = fs.existsSync('/usr/bin/systemd-notify') ? undefined : 'no /usr/bin/systemd-notify (package systemd)';
if (whyNot) console.warn(`SKIPPED watchdog test: ${whyNot}`);

(whyNot ? describe.skip : describe)('systemd watchdog over an emulated NOTIFY_SOCKET', () => {
  beforeAll(requireBuiltCli);
  let gw: FakeGateway;
  let listener: Spawned;
  let agent: Spawned | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-watchdog-'));
  const sock = path.join(dir, 'notify');

  beforeAll(async () => {
    gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
    listener = spawnTracked('/usr/bin/python3', ['-c', LISTENER_PY, sock]);
    await waitFor('listener', () => (listener.stdout().includes('listening') ? true : undefined), 10000, 50);
  });
  afterAll(async () => {
    if (agent) {
      agent.child.kill('SIGCONT');
      await agent.stop();
    }
    await listener.stop();
    await gw.stop();
  });

  const notifications = () =>
    listener
      .stdout()
      .split('\n')
      .filter((l) => l.endsWith(' WATCHDOG=1')).length;

  it('WATCHDOG=1 arrives while the loop runs, stops while it is stopped, resumes after', async () => {
    agent = spawnCli(
      ['run', '--pushgateway-url', gw.url, '--interval', '1s', '--collectors', 'host', '--log-format', 'json'],
      // WatchdogSec=1s: a notification every 500 ms.
      { env: { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '1000000' } },
    );
    await waitFor('three notifications', () => (notifications() >= 3 ? true : undefined), 20000, 50);

    agent.child.kill('SIGSTOP');
    // A systemd-notify started just before the stop may still land: let it, then nothing more may come.
    let settled = notifications();
    await waitFor(
      'no notification in flight',
      async () => {
        await new Promise((r) => setTimeout(r, 1000));
        const n = notifications();
        const quiet = n === settled;
        settled = n;
        return quiet ? true : undefined;
      },
      10000,
      0,
    );
    await new Promise((r) => setTimeout(r, 3000)); // six periods of a healthy agent
    expect(notifications()).toBe(settled);

    agent.child.kill('SIGCONT');
    await waitFor('notifications again', () => (notifications() >= settled + 2 ? true : undefined), 20000, 50);
    expect(agent.stderr()).toContain('systemd watchdog: WATCHDOG=1 every 500 ms');
    expect(agent.stderr()).not.toContain('systemd-notify failed');
  }, 60000);

  it('no NOTIFY_SOCKET or WATCHDOG_USEC: no watchdog', async () => {
    const plain = spawnCli(
      ['run', '--pushgateway-url', gw.url, '--interval', '300ms', '--collectors', 'host', '--log-format', 'json'],
      { env: { NOTIFY_SOCKET: sock } },
    );
    try {
      await waitFor('started', () => (plain.stderr().includes('hostpulse started') ? true : undefined), 20000, 50);
      expect(plain.stderr()).not.toContain('systemd watchdog');
    } finally {
      await plain.stop();
    }
  }, 60000);
});

const whyNoMount = process.getuid?.() === 0 ? undefined : 'not root (mounting a read-only tmpfs needs it)';
if (whyNoMount) console.warn(`SKIPPED exit-75 test: ${whyNoMount}`);

(whyNoMount ? describe.skip : describe)('exit codes the unit restarts (75) and does not (2)', () => {
  beforeAll(requireBuiltCli);
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-late-mount-'));
  afterAll(() => {
    execFileSync('umount', [mnt]);
  });

  it('a --buffer-dir on a read-only file system (a mount not there yet) and a missing --spool-dir exit 75; a bad flag exits 2', async () => {
    // Read-only, as the root file system is under ProtectSystem=strict when the state mount is late.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mnt]);
    const buffer = await runCli([
      'once',
      '--sink',
      'remote-write',
      '--remote-write-url',
      'http://127.0.0.1:9/api/v1/write',
      '--buffer-dir',
      path.join(mnt, 'buffer'),
      '--collectors',
      'host',
    ]);
    expect(buffer.stderr).toContain('--buffer-dir');
    expect(buffer.code).toBe(75);
    const spool = await runCli([
      'once',
      '--stdout',
      '--collectors',
      'host,spool',
      '--spool-dir',
      path.join(os.tmpdir(), `hp-no-spool-${process.pid}`),
    ]);
    expect(spool.stderr).toContain('does not exist');
    expect(spool.code).toBe(75);
    const usage = await runCli(['once', '--stdout', '--interval', 'soon']);
    expect(usage.code).toBe(2);
  }, 60000);
});
