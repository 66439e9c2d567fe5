import { execFileSync, spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { waitFor } from '../support/processes';

/**
 * Debian's podman 4.3 as these tests run it: its own containers.conf and
 * storage.conf (the system's are not touched), images and volumes under a cache
 * directory that outlives a run (the stand-in base images are built once per
 * machine), and runc with cgroupfs (crun refuses the hybrid cgroup layout; runc
 * cannot set the default rlimits, hence `default_ulimits = []`).
 */
export const ROOT = path.join(__dirname, '..', '..');
export const CACHE = process.env.HOSTPULSE_TEST_IMAGE_CACHE ?? '/var/cache/hostpulse-test-images';
const RUN = '/run/hostpulse-test-containers';
/** The project's image (deploy/docker/Dockerfile), built by the global setup. */
export const HOST_IMAGE = 'hostpulse-test/host:latest';

const TOOLS = ['podman', 'runc', 'catatonit', 'docker-compose', 'debootstrap', 'nsenter', 'ip'];

/** Why the container tests cannot run here, or undefined. */
export function containersUnavailable(extraTools: string[] = []): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (podman as root and ip netns need it)';
  for (const t of [...TOOLS, ...extraTools])
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0)
      return `${t} is not installed (deploy/install-deps.sh)`;
  return undefined;
}

/** CONTAINERS_CONF and CONTAINERS_STORAGE_CONF for every podman call (written on first use). */
export function engineEnv(): NodeJS.ProcessEnv {
  fs.mkdirSync(CACHE, { recursive: true });
  const conf = path.join(CACHE, 'containers.conf');
  const storage = path.join(CACHE, 'storage.conf');
  fs.writeFileSync(
    conf,
    [
      '[containers]',
      'default_ulimits = []',
      '[engine]',
      'cgroup_manager = "cgroupfs"',
      'runtime = "runc"',
      'events_logger = "file"', // no journald here
      `tmp_dir = "${RUN}/libpod"`,
      '[network]',
      `network_config_dir = "${CACHE}/networks"`,
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    storage,
    ['[storage]', 'driver = "overlay"', `graphroot = "${CACHE}/storage"`, `runroot = "${RUN}/storage"`, ''].join('\n'),
  );
  return { ...process.env, CONTAINERS_CONF: conf, CONTAINERS_STORAGE_CONF: storage };
}

/** podman with the tests' configuration; returns stdout, throws with stderr. */
export function podman(args: string[], input?: string): string {
  const r = spawnSync('nice', ['-n', '10', 'podman', ...args], {
    env: engineEnv(),
    encoding: 'utf8',
    input,
    timeout: 600000,
  });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

/**
 * A network namespace of the test's own, joined to the test's namespace by a veth
 * pair (host side .1, namespace side .2 of a /30), and `podman system service`
 * serving the Docker API inside it: the compose file's published ports
 * (9090, 9091, 9093) are bound in that namespace, on `address`, never on this
 * machine's loopback where other tests listen.
 */
export interface Engine {
  ns: string;
  /** The namespace side of the veth pair: published ports answer here. */
  address: string;
  dockerHost: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startEngine(tag: string): Promise<Engine> {
  const ns = `${tag}${process.pid}`;
  const subnet = `10.231.${process.pid % 250}`;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const dir = path.join(RUN, ns);
  fs.mkdirSync(dir, { recursive: true });
  const sock = path.join(dir, 'podman.sock');
  let service: ChildProcess | undefined;
  const stop = async () => {
    if (service && service.exitCode === null) {
      const exited = new Promise((r) => service?.once('exit', r));
      service.kill('SIGTERM');
      await exited;
    }
    spawnSync('ip', ['link', 'del', `${tag}h`]);
    spawnSync('ip', ['netns', 'del', ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('link', 'add', `${tag}h`, 'type', 'veth', 'peer', 'name', `${tag}n`);
    ip('link', 'set', `${tag}n`, 'netns', ns);
    ip('addr', 'add', `${subnet}.1/30`, 'dev', `${tag}h`);
    ip('-n', ns, 'addr', 'add', `${subnet}.2/30`, 'dev', `${tag}n`);
    ip('link', 'set', `${tag}h`, 'up');
    ip('-n', ns, 'link', 'set', `${tag}n`, 'up');
    // nsenter enters the network namespace only: `ip netns exec` would remount
    // /sys, and runc then finds no cgroup mount.
    service = spawn(
      'nice',
      ['-n', '10', 'nsenter', `--net=/run/netns/${ns}`, 'podman', 'system', 'service', '--time=0', `unix://${sock}`],
      {
        env: engineEnv(),
        stdio: 'ignore',
      },
    );
    await waitFor('podman system service socket', () => (fs.existsSync(sock) ? true : undefined), 30000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    ns,
    address: `${subnet}.2`,
    dockerHost: `unix://${sock}`,
    env: { ...engineEnv(), DOCKER_HOST: `unix://${sock}` },
    stop,
  };
}

/** docker-compose (Debian's 1.29) against the engine's socket, in the repository root. */
export function compose(engine: Engine, project: string, args: string[]): string {
  const r = spawnSync('nice', ['-n', '10', 'docker-compose', '-p', project, ...args], {
    cwd: ROOT,
    env: engine.env,
    encoding: 'utf8',
    timeout: 600000,
  });
  if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}
