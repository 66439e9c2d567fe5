/**
 * Cost of one connections-collector poll with 10,000 established TCP sockets
 * in the table: `npm run build:bench && node dist/bench/connections-poll.js`
 * (root; Linux).
 *
 * It creates a network namespace, opens 5,000 loopback connections inside it
 * (each is two ESTABLISHED rows in /proc/net/tcp: 10,000 rows), then runs the
 * measurement in that namespace: the read of net/tcp and net/tcp6, the parse
 * and the diff against the previous poll, as the collector's timer does, with
 * process.cpuUsage() around each poll, and the reads alone for comparison.
 * The namespace is deleted at the end.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import { TcpTableReader } from '../platforms/net';
import { ConnectionTracker } from '../agent/collectors/connection-tracker';

const PAIRS = 5000;
const POLLS = 30;

const HOLD_PY = String.raw`
import resource, socket, sys, time
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
n = int(sys.argv[1])
ls = socket.socket(); ls.bind(('127.0.0.1', 0)); ls.listen(4096)
port = ls.getsockname()[1]
keep = []
for i in range(n):
    c = socket.socket(); c.connect(('127.0.0.1', port)); s, _ = ls.accept(); keep += [c, s]
print('ready', flush=True)
sys.stdin.read()
`;

/** CPU ms (user + system) of one call. */
function cpuMs(f: () => void): number {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    mean: +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(2),
    median: +s[s.length >> 1].toFixed(2),
    max: +s[s.length - 1].toFixed(2),
  };
};

/**
 * Alternates a whole poll (read + parse + diff, as the collector's timer runs
 * it) with the reads alone (the kernel rendering the text, and the copy), so
 * both see the same machine; the difference is what the agent's own code costs.
 */
function measure(): void {
  const tracker = new ConnectionTracker();
  const reader = new TcpTableReader('/proc');
  const poll = (): void => {
    tracker.begin();
    reader.read(tracker.row);
    tracker.end(new Date());
  };
  poll();
  const full: number[] = [];
  const readOnly: number[] = [];
  for (let i = 0; i < POLLS; i++) {
    full.push(cpuMs(poll));
    readOnly.push(cpuMs(() => reader.readOnly()));
  }
  tracker.begin();
  reader.read(tracker.row);
  const established = tracker.end(new Date()).states.get('established') ?? 0;
  console.log(
    JSON.stringify({ established, polls: POLLS, pollCpuMs: summary(full), readOnlyCpuMs: summary(readOnly) }),
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--measure') return measure();
  const ns = `hpbench${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const holder = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', HOLD_PY, String(PAIRS)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      holder.on('exit', (code) => reject(new Error(`connection holder exited ${String(code)}`)));
    });
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, __filename, '--measure'], { encoding: 'utf8' });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    holder.stdin.end();
    holder.kill();
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
