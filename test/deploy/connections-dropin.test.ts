import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseUnit, unitValue } from './support/unit-file';

const repo = path.resolve(__dirname, '../..');
const unitPath = path.join(repo, 'deploy/systemd/hostpulse.service');
const dropInPath = path.join(repo, 'deploy/systemd/hostpulse.service.d-examples/connections-blocking.conf');

/**
 * An alternate root holding the base unit, the drop-in where docs/collectors.md says
 * to install it, stand-ins for ExecStart/ExecReload and the host's system
 * units (for the default dependencies), as the base unit's own verify test does.
 */
function withRoot<T>(dropIn: string, f: (root: string) => T, name = 'connections-blocking.conf'): T {
  const unit = parseUnit(fs.readFileSync(unitPath, 'utf8'));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-dropin-'));
  try {
    for (const key of ['ExecStart', 'ExecReload']) {
      const exec = unitValue(unit, 'Service', key)!.split(' ')[0];
      fs.mkdirSync(path.join(root, path.dirname(exec)), { recursive: true });
      fs.writeFileSync(path.join(root, exec), '#!/bin/sh\n', { mode: 0o755 });
    }
    const etc = path.join(root, 'etc/systemd/system');
    fs.mkdirSync(path.join(etc, 'hostpulse.service.d'), { recursive: true });
    fs.copyFileSync(unitPath, path.join(etc, 'hostpulse.service'));
    fs.writeFileSync(path.join(etc, 'hostpulse.service.d', name), dropIn);
    fs.mkdirSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
    fs.cpSync('/usr/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), {
      recursive: true,
      verbatimSymlinks: true,
    });
    return f(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const verify = (root: string) =>
  spawnSync('systemd-analyze', ['verify', `--root=${root}`, '--man=no', 'hostpulse.service'], { encoding: 'utf8' });
const security = (args: string[]) =>
  spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', ...args], { encoding: 'utf8' });
const exposure = (out: string) => Number(/Overall exposure level for hostpulse\.service: (\d+\.\d+)/.exec(out)?.[1]);

describe('deploy/systemd/hostpulse.service.d-examples/connections-blocking.conf', () => {
  const dropIn = fs.readFileSync(dropInPath, 'utf8');

  it('passes systemd-analyze verify together with the base unit, with no warnings', () => {
    const res = withRoot(dropIn, verify);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    // Control: the same root with a wrong key in the drop-in is reported, so verify did read the drop-in.
    const bad = withRoot(`${dropIn}NotASetting=1\n`, verify);
    expect(bad.stderr).toContain('connections-blocking.conf:');
    expect(bad.stderr).toContain("Unknown key 'NotASetting'");
  });

  it('adds CAP_NET_ADMIN and netlink sockets, and nothing else the security scan sees', () => {
    const base = security([unitPath]);
    const combined = withRoot(dropIn, (root) => security([`--root=${root}`, 'hostpulse.service']));
    expect(combined.stderr).toBe('');
    const failed = (out: string) =>
      out
        .split('\n')
        .filter((l) => l.startsWith('✗'))
        .map((l) => l.split(/\s+/)[1]);
    expect(failed(base.stdout)).not.toContain('CapabilityBoundingSet=~CAP_NET_ADMIN');
    const added = failed(combined.stdout).filter((k) => !failed(base.stdout).includes(k));
    expect(added.sort()).toEqual(['CapabilityBoundingSet=~CAP_NET_ADMIN', 'RestrictAddressFamilies=~AF_NETLINK']);
    expect(exposure(combined.stdout)).toBeGreaterThan(exposure(base.stdout));
  });

  it("keeps the base unit's capabilities and turns the collector and blocking on", () => {
    const d = parseUnit(dropIn);
    expect(unitValue(d, 'Service', 'CapabilityBoundingSet')!.split(' ').sort()).toEqual([
      'CAP_NET_ADMIN',
      'CAP_SYSLOG',
    ]);
    expect(unitValue(d, 'Service', 'AmbientCapabilities')!.split(' ').sort()).toEqual(['CAP_NET_ADMIN', 'CAP_SYSLOG']);
    expect(d.get('Service')!.get('Environment')).toEqual([
      'HOSTPULSE_COLLECTORS=+connections',
      'HOSTPULSE_BLOCK_SCANNERS=true',
    ]);
  });
});

describe('deploy/systemd/hostpulse.service.d-examples/spool.conf', () => {
  const name = 'spool.conf';
  const dropIn = fs.readFileSync(path.join(repo, 'deploy/systemd/hostpulse.service.d-examples', name), 'utf8');

  it('passes systemd-analyze verify together with the base unit, with no warnings', () => {
    const res = withRoot(dropIn, verify, name);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it("opens the spool directory for writing and gives the batch jobs' group, and the exposure stays within 2.1 (the base unit's, with the watchdog)", () => {
    const unit = parseUnit(dropIn);
    expect(unitValue(unit, 'Service', 'ReadWritePaths')).toBe('/var/spool/hostpulse');
    expect(unitValue(unit, 'Service', 'Environment')).toBe('HOSTPULSE_SPOOL_DIR=/var/spool/hostpulse');
    expect(unitValue(unit, 'Service', 'SupplementaryGroups')).toBe('hostpulse-spool');
    const combined = withRoot(dropIn, (root) => security([`--root=${root}`, 'hostpulse.service']), name);
    expect(combined.stderr).toBe('');
    expect(exposure(combined.stdout)).toBeLessThanOrEqual(2.1);
  });
});
