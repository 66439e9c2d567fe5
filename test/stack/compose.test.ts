/**
 * docker-compose.yml is validated by the Debian docker-compose (no Docker engine
 * here), its structure is checked for what `--scale host=N` needs, and the `host`
 * image's entrypoint is run for real outside a container.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { cliEnv } from '../support/cli';
import { spawnTracked, waitFor } from '../support/processes';
import { gatewayMetrics, startPushgateway } from '../support/pushgateway';

const ROOT = path.join(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

interface Service {
  profiles?: string[];
  image?: string;
  build?: { context: string; dockerfile: string };
  container_name?: string;
  hostname?: string;
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
}
const compose = YAML.parse(read('docker-compose.yml')) as { services: Record<string, Service> };

test('docker-compose config accepts the file', () => {
  const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

test('the stack has its five services and fixed ports for the UIs; the connections watcher only on its profile', () => {
  const byDefault = Object.entries(compose.services)
    .filter(([, s]) => s.profiles === undefined)
    .map(([name]) => name);
  expect(byDefault.sort()).toEqual(['alertmanager', 'grafana', 'host', 'prometheus', 'pushgateway']);
  expect(compose.services.connections.profiles).toEqual(['connections']);
  expect(compose.services.grafana.ports).toContain('3000:3000');
  expect(compose.services.prometheus.ports).toContain('9090:9090');
  expect(compose.services.pushgateway.ports).toContain('9091:9091');
  expect(compose.services.alertmanager.ports).toContain('9093:9093');
});

test('host scales: no fixed name, hostname or host port, so each replica pushes under its own container hostname', () => {
  const host = compose.services.host;
  expect(host.container_name).toBeUndefined();
  expect(host.hostname).toBeUndefined();
  expect(host.ports).toBeUndefined();
  expect(host.environment?.HOSTPULSE_INSTANCE).toBeUndefined();
  expect(host.environment?.HOSTPULSE_PUSHGATEWAY_URL).toBe('http://pushgateway:9091');
  expect(host.build?.dockerfile).toBe('deploy/docker/Dockerfile');
  const dockerfile = read(host.build?.dockerfile ?? '');
  expect(dockerfile).toMatch(/^FROM node:20/m);
  expect(dockerfile).toMatch(/RUN npm ci/);
  expect(dockerfile).toMatch(/npm run build/);
  // Every COPY source exists in the build context.
  for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
    for (const src of m[1].split(/\s+/)) expect([src, fs.existsSync(path.join(ROOT, src))]).toEqual([src, true]);
  }
});

test('the sources the Dockerfile copies before its build are enough to compile the agent', () => {
  // No Docker engine here: rebuild the image's /app layout in a temp dir (node_modules linked, not installed).
  const dockerfile = read('deploy/docker/Dockerfile');
  const beforeBuild = dockerfile.slice(0, dockerfile.indexOf('npm run build'));
  const sources = [...beforeBuild.matchAll(/^COPY (.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
  expect(sources).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'agent']));
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'image-app-'));
  try {
    for (const src of sources) fs.cpSync(path.join(ROOT, src), path.join(app, src), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json', '--noEmit'],
      {
        cwd: app,
        encoding: 'utf8',
      },
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  } finally {
    fs.rmSync(app, { recursive: true, force: true });
  }
}, 60000);

test('Prometheus and Grafana mount the files they are configured to read', () => {
  expect(compose.services.prometheus.volumes).toContain('./prometheus:/etc/prometheus:ro');
  const grafana = compose.services.grafana;
  expect(grafana.environment?.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
  expect(grafana.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
  const provider = YAML.parse(read('grafana/provisioning/dashboards/hostpulse.yml')) as {
    providers: Array<{ type: string; options: { path: string } }>;
  };
  expect(provider.providers[0].type).toBe('file');
  expect(grafana.volumes).toContain(`./grafana/dashboards:${provider.providers[0].options.path}:ro`);
  expect(grafana.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
  const home = grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
  expect(fs.existsSync(path.join(ROOT, 'grafana', 'dashboards', path.basename(home)))).toBe(true);
  const ds = YAML.parse(read('grafana/provisioning/datasources/prometheus.yml')) as {
    datasources: Array<{ url: string }>;
  };
  expect(ds.datasources[0].url).toBe('http://prometheus:9090');
});

test('the host entrypoint runs the agent and the memory load, and SIGTERM stops both', async () => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'agent', 'cli', 'main.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  const gw = await startPushgateway();
  const entry = spawnTracked(
    'bash',
    [path.join(ROOT, 'deploy', 'docker', 'entrypoint.sh'), '--instance', 'entrypoint-test'],
    {
      env: cliEnv({ HOSTPULSE_PUSHGATEWAY_URL: gw.url, HOSTPULSE_INTERVAL: '1s', LOAD_SCALE: '0.25' }),
    },
  );
  try {
    const groups = await waitFor('the load pushed by the agent', async () => {
      const g = (await gatewayMetrics(gw.url)).get('hostpulse_group_resident_memory_bytes') ?? [];
      const names = g.filter((s) => s.labels.instance === 'entrypoint-test').map((s) => s.labels.group);
      return names.includes('load-spiky') ? names : undefined;
    });
    expect(groups).toEqual(expect.arrayContaining(['load-breathing', 'load-spiky', 'load-slowleak']));
    expect(childrenOf(entry.pid).length).toBe(2); // the agent and the load
    const tree = descendantsOf(entry.pid);
    expect(tree.length).toBe(2 + 3); // ... and the load's three children
    entry.child.kill('SIGTERM');
    expect((await entry.exited).code).toBe(143);
    await waitFor('no process left', () => (tree.some((p) => fs.existsSync(`/proc/${p}`)) ? undefined : true), 10000);
  } finally {
    await entry.stop();
    await gw.stop();
  }
}, 60000);

function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((c) => [c, ...descendantsOf(c)]);
}

/** Direct children of a pid, from /proc/<pid>/task/<pid>/children. */
function childrenOf(pid: number): number[] {
  return fs
    .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}
