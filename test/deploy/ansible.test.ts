import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { repo, snapshotSource } from './support/staging';

const playbook = path.join(repo, 'deploy/ansible/hostpulse.yml');
const inventory = path.join(repo, 'deploy/ansible/inventory.example.ini');

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

/** "changed=N" of a host in the PLAY RECAP. */
function recapChanged(out: string, host: string): number {
  const m = new RegExp(`^${host}\\s+: ok=\\d+\\s+changed=(\\d+)\\s+unreachable=0\\s+failed=0`, 'm').exec(out);
  if (!m) throw new Error(`no clean recap for ${host}:\n${out}`);
  return Number(m[1]);
}

describe('deploy/ansible/hostpulse.yml (ansible-core from deploy/install-deps.sh)', () => {
  it('passes ansible-playbook --syntax-check', () => {
    const res = ansible(['--syntax-check', '-i', inventory, playbook]);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('builds a bundle whose launcher runs, and a second run changes nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-ansible-'));
    try {
      // Only the controller play (tag bundle): the host play needs real hosts with systemd.
      const src = snapshotSource();
      const args = [
        '-i',
        'localhost,',
        '--tags',
        'bundle',
        '-e',
        `hostpulse_bundle_dir=${dir}`,
        path.join(src, 'deploy/ansible/hostpulse.yml'),
      ];
      const first = ansible(args);
      expect(recapChanged(first.stdout, 'localhost')).toBe(2);
      const second = ansible(args);
      expect(recapChanged(second.stdout, 'localhost')).toBe(0);

      const unpacked = path.join(dir, 'unpacked');
      fs.mkdirSync(unpacked);
      expect(spawnSync('tar', ['-xzf', path.join(dir, 'hostpulse.tar.gz'), '-C', unpacked]).status).toBe(0);
      const version = spawnSync(path.join(unpacked, 'bin/hostpulse'), ['--version'], { encoding: 'utf8' });
      expect(version.status).toBe(0);
      expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      fs.rmSync(src, { recursive: true, force: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
