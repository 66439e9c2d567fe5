import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installer, repo, runInstaller as runIn, snapshotSource, treeState } from './support/staging';
import { gatewayMetrics, startPushgateway } from '../support/pushgateway';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const gatewayInstances = async (url: string) => [
  ...new Set((await gatewayMetrics(url)).get('push_time_seconds')?.map((s) => s.labels.instance)),
];

const src = snapshotSource();
afterAll(() => fs.rmSync(src, { recursive: true, force: true }));
const runInstaller = (dest: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => runIn(src, dest, args, env);
const version = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;

describe('deploy/install.sh with DESTDIR', () => {
  let dest: string;
  let launcher: string;

  beforeAll(() => {
    dest = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-destdir-'));
    launcher = path.join(dest, 'opt/hostpulse/bin/hostpulse');
  });
  afterAll(() => fs.rmSync(dest, { recursive: true, force: true }));

  it('stages the code, the unit and the env file, and calls no systemctl', () => {
    const res = runInstaller(dest);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('systemctl not called');
    expect(fs.readFileSync(path.join(dest, 'etc/systemd/system/hostpulse.service'), 'utf8')).toBe(
      fs.readFileSync(path.join(repo, 'deploy/systemd/hostpulse.service'), 'utf8'),
    );
    expect(fs.readFileSync(path.join(dest, 'etc/hostpulse/hostpulse.env'), 'utf8')).toBe(
      fs.readFileSync(path.join(repo, 'deploy/systemd/hostpulse.env'), 'utf8'),
    );
    expect(fs.readlinkSync(path.join(dest, 'usr/local/bin/hostpulse'))).toBe('/opt/hostpulse/bin/hostpulse');
    // Production dependencies only.
    const modules = path.join(dest, 'opt/hostpulse/node_modules');
    expect(fs.existsSync(path.join(modules, 'prom-client/package.json'))).toBe(true);
    expect(fs.existsSync(path.join(modules, 'typescript'))).toBe(false);
    expect(fs.existsSync(path.join(modules, 'jest'))).toBe(false);
  });

  it('gives a launcher that runs the agent: --version', () => {
    const res = spawnSync(launcher, ['--version'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout.trim()).toBe(version);
  });

  it('gives a launcher that runs the agent: once --stdout prints real exposition text', () => {
    const res = spawnSync(launcher, ['once', '--stdout'], { encoding: 'utf8', timeout: 60000 });
    expect(res.status).toBe(0);
    const total = /^hostpulse_host_memory_total_bytes (\d+)/m.exec(res.stdout);
    expect(total).not.toBeNull();
    const memTotalKb = Number(/^MemTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(Number(total![1])).toBe(memTotalKb * 1024);
    expect(res.stdout).toMatch(/^hostpulse_group_processes\{group="[^"]+"\} \d+/m);
  });

  it('changes nothing on a second run and says so', () => {
    const before = treeState(dest);
    const res = runInstaller(dest);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/nothing changed\s*$/);
    expect(treeState(dest)).toEqual(before);
  });

  it('never overwrites an existing env file', () => {
    const env = path.join(dest, 'etc/hostpulse/hostpulse.env');
    fs.writeFileSync(env, 'HOSTPULSE_PUSHGATEWAY_URL=http://gw.example:9091\n');
    const res = runInstaller(dest);
    expect(res.status).toBe(0);
    expect(res.stdout).toContain('kept existing');
    expect(fs.readFileSync(env, 'utf8')).toBe('HOSTPULSE_PUSHGATEWAY_URL=http://gw.example:9091\n');
  });

  it('replaces a changed install (an upgrade) and reports it', () => {
    fs.appendFileSync(path.join(dest, 'opt/hostpulse/dist/agent/cli/main.js'), '\n// tampered\n');
    const res = runInstaller(dest);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/code: installed/);
    expect(res.stdout).not.toContain('nothing changed');
    expect(fs.readFileSync(path.join(dest, 'opt/hostpulse/dist/agent/cli/main.js'), 'utf8')).not.toContain('tampered');
  });

  it("--uninstall deletes this host's group from the Pushgateway, removes the code, the link and the unit, and keeps the env file", async () => {
    // The settings the service ran with: a real gateway, and an instance that needs @base64 in the DELETE path.
    const gateway = await startPushgateway();
    let res: ReturnType<typeof runInstaller>;
    try {
      const envFile = path.join(dest, 'etc/hostpulse/hostpulse.env');
      fs.writeFileSync(envFile, `HOSTPULSE_PUSHGATEWAY_URL="${gateway.url}"\nHOSTPULSE_INSTANCE=rack1/web-01\n`);
      const pushed = spawnSync(
        launcher,
        ['once', '--pushgateway-url', gateway.url, '--instance', 'rack1/web-01', '--procfs-root', FIXTURE_PROC],
        { encoding: 'utf8' },
      );
      expect(pushed.stderr).not.toContain('failed');
      expect(pushed.status).toBe(0);
      expect(await gatewayInstances(gateway.url)).toEqual(['rack1/web-01']);

      // The gateway is its own process: the synchronous installer run does not block it.
      res = runInstaller(dest, ['--uninstall']);
      expect(res.status).toBe(0);
      expect(res.stdout).toContain('pushgateway: deleted');
      expect(await gatewayInstances(gateway.url)).toEqual([]);
    } finally {
      await gateway.stop();
    }
    expect(fs.existsSync(path.join(dest, 'opt/hostpulse'))).toBe(false);
    expect(fs.existsSync(path.join(dest, 'etc/systemd/system/hostpulse.service'))).toBe(false);
    expect(fs.existsSync(path.join(dest, 'usr/local/bin/hostpulse'))).toBe(false);
    expect(fs.existsSync(path.join(dest, 'etc/hostpulse/hostpulse.env'))).toBe(true);
    expect(res.stdout).toContain('kept');
    const again = runInstaller(dest, ['--uninstall']);
    expect(again.stdout).toContain('nothing changed');
  });
});

describe('deploy/install.sh prerequisites and usage', () => {
  it('says which Node.js is missing or too old', () => {
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-prereq-'));
    try {
      const oldNode = path.join(dest, 'node');
      fs.writeFileSync(oldNode, '#!/bin/sh\ncase "$1" in -p) echo 18 ;; *) echo v18.19.0 ;; esac\n', { mode: 0o755 });
      const old = runInstaller(path.join(dest, 'stage'), [], { NODE: oldNode });
      expect(old.status).toBe(1);
      expect(old.stderr).toContain(`Node.js 20+: ${oldNode} is version v18.19.0`);
      const none = runInstaller(path.join(dest, 'stage'), [], { NODE: path.join(dest, 'no-such-node') });
      expect(none.status).toBe(1);
      expect(none.stderr).toContain('Node.js 20+');
      expect(fs.existsSync(path.join(dest, 'stage'))).toBe(false);
    } finally {
      fs.rmSync(dest, { recursive: true, force: true });
    }
  });

  it('--help explains DESTDIR and --uninstall; a bad argument is a usage error', () => {
    const help = spawnSync('bash', [installer, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('DESTDIR');
    expect(help.stdout).toContain('--uninstall');
    const bad = spawnSync('bash', [installer, '--frobnicate'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown argument: --frobnicate');
  });
});
