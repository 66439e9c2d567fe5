import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseUnit, unitValue } from './support/unit-file';

const repo = path.resolve(__dirname, '../..');
const unitPath = path.join(repo, 'deploy/systemd/hostpulse.service');
const envPath = path.join(repo, 'deploy/systemd/hostpulse.env');
const cli = path.join(repo, 'dist/agent/cli/main.js');

describe('deploy/systemd/hostpulse.service', () => {
  const unit = parseUnit(fs.readFileSync(unitPath, 'utf8'));

  // 2.1: NotifyAccess=all (0.2) is the price of the watchdog, whose WATCHDOG=1 comes from a systemd-notify child.
  it('is rated exposure 2.1 or lower by systemd-analyze security --offline', () => {
    const res = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', unitPath], {
      encoding: 'utf8',
    });
    expect(res.stderr).toBe('');
    const m = /Overall exposure level for hostpulse\.service: (\d+\.\d+)/.exec(res.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.1);
  });

  it('passes systemd-analyze verify with no warnings', () => {
    // verify needs ExecStart/ExecReload to exist and the default dependencies (sysinit.target, ...)
    // to load: an alternate root with a stand-in launcher and the host's system units.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-verify-'));
    try {
      for (const key of ['ExecStart', 'ExecReload']) {
        const exec = unitValue(unit, 'Service', key)!.split(' ')[0];
        fs.mkdirSync(path.join(root, path.dirname(exec)), { recursive: true });
        fs.writeFileSync(path.join(root, exec), '#!/bin/sh\n', { mode: 0o755 });
      }
      fs.mkdirSync(path.join(root, 'etc/systemd/system'), { recursive: true });
      fs.copyFileSync(unitPath, path.join(root, 'etc/systemd/system/hostpulse.service'));
      fs.mkdirSync(path.join(root, 'usr/lib/systemd'), { recursive: true });
      fs.cpSync('/usr/lib/systemd/system', path.join(root, 'usr/lib/systemd/system'), {
        recursive: true,
        verbatimSymlinks: true,
      });
      const res = spawnSync('systemd-analyze', ['verify', `--root=${root}`, '--man=no', 'hostpulse.service'], {
        encoding: 'utf8',
      });
      // Unknown keys and bad values are only warnings (exit 0): both must be empty.
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('runs the installed launcher with the installed env file and restarts on failure only', () => {
    expect(unitValue(unit, 'Service', 'ExecStart')).toBe('/opt/hostpulse/bin/hostpulse run');
    // systemctl reload -> SIGHUP -> the agent re-reads its config file.
    expect(unitValue(unit, 'Service', 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(unitValue(unit, 'Service', 'EnvironmentFile')).toBe('/etc/hostpulse/hostpulse.env');
    expect(unitValue(unit, 'Service', 'Restart')).toBe('on-failure');
    // A config error (exit 2) is not retried forever.
    expect(unitValue(unit, 'Service', 'RestartPreventExitStatus')).toBe('2');
  });

  it('keeps the whole /proc visible (the agent must see every process and the host files)', () => {
    expect(unitValue(unit, 'Service', 'ProtectProc') ?? 'default').toBe('default');
    expect(unitValue(unit, 'Service', 'ProcSubset') ?? 'all').toBe('all');
  });

  it('never puts a secret on the command line', () => {
    expect(unitValue(unit, 'Service', 'ExecStart')).not.toMatch(/password|token|key/i);
  });
});

describe('deploy/systemd/hostpulse.env', () => {
  const text = fs.readFileSync(envPath, 'utf8');

  it('holds only HOSTPULSE_ assignments and comments', () => {
    for (const line of text.split('\n')) {
      if (line.trim() === '' || line.startsWith('#')) continue;
      expect(line).toMatch(/^HOSTPULSE_[A-Z_]+=\S*$/);
    }
  });

  it('documents every flag of `hostpulse run` as a HOSTPULSE_ variable', () => {
    if (!fs.existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
    const help = execFileSync(process.execPath, [cli, 'run', '--help'], { encoding: 'utf8' });
    const flags = [...help.matchAll(/^\s+--([a-z][a-z-]+)/gm)]
      .map((m) => m[1])
      .filter((f) => f !== 'version' && f !== 'help');
    expect(flags).toContain('pushgateway-url');
    expect(flags).toContain('pushgateway-password-file');
    const documented = new Set([...text.matchAll(/^#?(HOSTPULSE_[A-Z_]+)=/gm)].map((m) => m[1]));
    const missing = flags
      .map((f) => `HOSTPULSE_${f.toUpperCase().replace(/-/g, '_')}`)
      .filter((v) => !documented.has(v));
    expect(missing).toEqual([]);
  });
});
