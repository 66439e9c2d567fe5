import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { repo } from './support/staging';

const playbook = path.join(repo, 'deploy/ansible/hostpulse.yml');
const inventory = path.join(repo, 'deploy/ansible/inventory.example.ini');
const version = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;

function ansible(args: string[]) {
  return spawnSync('ansible-playbook', args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCALHOST_WARNING: 'false',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
    },
    timeout: 120000,
  });
}

/** ok, changed and failed of a host in the PLAY RECAP. */
function recap(out: string, host: string): { ok: number; changed: number; failed: number } {
  const m = new RegExp(`^${host}\\s+: ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=0\\s+failed=(\\d+)`, 'm').exec(out);
  if (!m) throw new Error(`no recap for ${host}:\n${out}`);
  return { ok: Number(m[1]), changed: Number(m[2]), failed: Number(m[3]) };
}

type Task = { name: string; tags?: string[]; [module: string]: unknown };

describe('deploy/ansible/hostpulse.yml (ansible-core from deploy/install-deps.sh)', () => {
  it('passes ansible-playbook --syntax-check', () => {
    const res = ansible(['--syntax-check', '-i', inventory, playbook]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('installs the .deb with apt, writes the package’s conffile and starts the service; no Node.js anywhere', () => {
    const plays = parse(fs.readFileSync(playbook, 'utf8')) as {
      hosts: string;
      vars: Record<string, string>;
      tasks: Task[];
    }[];
    expect(plays.map((p) => p.hosts)).toEqual(['hostpulse']);
    const [play] = plays;
    expect(play.vars.hostpulse_deb).toContain('/out/package/hostpulse_{{ hostpulse_version }}_amd64.deb');
    const by = (module: string) => play.tasks.filter((t) => `ansible.builtin.${module}` in t);

    const copied = by('copy').find(
      (t) => (t['ansible.builtin.copy'] as { src?: string }).src === '{{ hostpulse_deb }}',
    );
    expect(copied).toBeDefined();
    const dest = (copied!['ansible.builtin.copy'] as { dest: string }).dest;
    expect(by('apt').map((t) => t['ansible.builtin.apt'])).toEqual([{ deb: dest }]);

    // The env file the playbook writes is the one the package ships as its conffile.
    const build = fs.readFileSync(path.join(repo, 'deploy/package/build.sh'), 'utf8');
    const conffile = /^echo (\S+) >"\$root\/DEBIAN\/conffiles"$/m.exec(build)?.[1];
    expect(conffile).toBe('/etc/hostpulse/hostpulse.env');
    expect(by('copy').map((t) => (t['ansible.builtin.copy'] as { dest: string }).dest)).toContain(conffile);

    expect(by('systemd').map((t) => t['ansible.builtin.systemd'])).toContainEqual(
      expect.objectContaining({ name: 'hostpulse.service', enabled: true, state: 'started' }),
    );
    // Nothing built or run with node on the hosts or the controller.
    expect(JSON.stringify(play)).not.toMatch(/install\.sh|node/);
    expect(by('command').concat(by('shell'))).toEqual([]);
  });

  it('stops before touching a host when the package was not built, and goes on once it is', () => {
    // A copy of the playbook beside a package.json, so the default hostpulse_deb
    // (out/package/ of package.json's version) resolves inside a scratch folder.
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hp-ansible-')));
    try {
      fs.mkdirSync(path.join(dir, 'deploy/ansible'), { recursive: true });
      fs.copyFileSync(playbook, path.join(dir, 'deploy/ansible/hostpulse.yml'));
      fs.copyFileSync(path.join(repo, 'package.json'), path.join(dir, 'package.json'));
      const inv = path.join(dir, 'inventory.ini');
      fs.writeFileSync(
        inv,
        `[hostpulse]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n`,
      );
      // Only the controller-side check (tag package): the other tasks install onto real hosts.
      const args = ['-i', inv, '--tags', 'package', path.join(dir, 'deploy/ansible/hostpulse.yml')];

      const missing = ansible(args);
      expect(recap(missing.stdout, 'localhost').failed).toBe(1);
      expect(missing.stdout).toContain(
        `no ${path.join(dir, `out/package/hostpulse_${version}_amd64.deb`)} on the controller: run npm run package`,
      );

      fs.mkdirSync(path.join(dir, 'out/package'), { recursive: true });
      fs.writeFileSync(path.join(dir, `out/package/hostpulse_${version}_amd64.deb`), '');
      const built = ansible(args);
      expect(recap(built.stdout, 'localhost')).toEqual({ ok: 2, changed: 0, failed: 0 });

      const other = ansible([...args, '-e', `hostpulse_deb=${path.join(dir, 'elsewhere.deb')}`]);
      expect(recap(other.stdout, 'localhost').failed).toBe(1);
      expect(other.stdout).toContain(path.join(dir, 'elsewhere.deb'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
