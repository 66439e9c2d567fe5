import { execFileSync, spawnSync } from 'child_process';

/**
 * Network namespaces a test creates and deletes: a server namespace joined to
 * each peer namespace by its own veth pair, on 10.200.<n>.0/24 (server .1,
 * peer .2). Traffic stays inside them.
 */
export interface Topology {
  server: string;
  peers: Record<string, { ns: string; address: string; serverAddress: string }>;
  /** Runs `cmd` inside namespace `ns` and returns its stdout. */
  exec(ns: string, cmd: string[], input?: string): string;
  destroy(): void;
}

/** Why namespaces cannot be made here, or undefined. */
export function netnsUnavailable(tools: string[] = []): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (ip netns needs it)';
  for (const t of ['ip', 'python3', ...tools]) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) return `${t} is not installed`;
  }
  const probe = `hpprobe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns add failed: ${r.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return undefined;
}

export function makeTopology(tag: string, peerNames: string[], subnetBase: number): Topology {
  const server = `${tag}srv`;
  const created: string[] = [];
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const topo: Topology = {
    server,
    peers: {},
    exec: (ns, cmd, input) =>
      execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', input, timeout: 60000 }),
    destroy: () => {
      for (const ns of created.reverse()) spawnSync('ip', ['netns', 'del', ns]);
    },
  };
  try {
    ip('netns', 'add', server);
    created.push(server);
    ip('-n', server, 'link', 'set', 'lo', 'up');
    peerNames.forEach((name, i) => {
      const ns = `${tag}${name}`;
      const n = subnetBase + i;
      ip('netns', 'add', ns);
      created.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      const a = `${tag}${i}a`;
      const b = `${tag}${i}b`;
      ip('link', 'add', a, 'type', 'veth', 'peer', 'name', b);
      ip('link', 'set', a, 'netns', server);
      ip('link', 'set', b, 'netns', ns);
      ip('-n', server, 'addr', 'add', `10.200.${n}.1/24`, 'dev', a);
      ip('-n', ns, 'addr', 'add', `10.200.${n}.2/24`, 'dev', b);
      ip('-n', server, 'link', 'set', a, 'up');
      ip('-n', ns, 'link', 'set', b, 'up');
      topo.peers[name] = { ns, address: `10.200.${n}.2`, serverAddress: `10.200.${n}.1` };
    });
  } catch (err) {
    topo.destroy();
    throw err;
  }
  return topo;
}

/**
 * A python3 client: connects to `host` on each port (in parallel), holds each
 * connection `holdMs`, and prints one JSON list of {port, ok, error}.
 */
export const CLIENT_PY = String.raw`
import json, socket, sys, threading, time
host, ports, hold, timeout = sys.argv[1], [int(p) for p in sys.argv[2].split(',')], float(sys.argv[3]) / 1000, float(sys.argv[4]) / 1000
out = []
def one(p):
    s = socket.socket()
    s.settimeout(timeout)
    try:
        s.connect((host, p))
        out.append({'port': p, 'ok': True})
        time.sleep(hold)
    except Exception as e:
        out.append({'port': p, 'ok': False, 'error': str(e)})
    finally:
        s.close()
ts = [threading.Thread(target=one, args=(p,)) for p in ports]
[t.start() for t in ts]
[t.join() for t in ts]
print(json.dumps(out))
`;

/** A python3 server: listens on each port of argv[2] at argv[1], accepts, and holds each connection until the peer closes. */
export const SERVER_PY = String.raw`
import select, socket, sys
ls = []
for p in sys.argv[2].split(','):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], int(p))); s.listen(512); ls.append(s)
print('listening', flush=True)
conns = []
while True:
    r, _, _ = select.select(ls + conns, [], [])
    for s in r:
        if s in ls:
            c, _ = s.accept(); conns.append(c)
        elif not s.recv(4096):
            s.close(); conns.remove(s)
`;

/** A gateway stand-in on 127.0.0.1:<port> inside a namespace: writes each pushed body to <file>. */
export const GATEWAY_JS = String.raw`
const http = require('http'), zlib = require('zlib'), fs = require('fs');
const [port, file] = process.argv.slice(1);
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    fs.writeFileSync(file + '.tmp', req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw);
    fs.renameSync(file + '.tmp', file);
    res.writeHead(200).end();
  });
}).listen(Number(port), '127.0.0.1', () => console.log('listening'));
`;
