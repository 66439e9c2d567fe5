import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * deploy/install-deps.sh with stand-ins for dpkg-query (every package missing),
 * apt-get (records what it was asked to install) and sudo, first on PATH: which
 * packages each set installs, without installing anything.
 */
const script = path.join(__dirname, '..', '..', 'deploy', 'install-deps.sh');

function run(args: string[]): { status: number | null; stderr: string; installed: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-install-deps-'));
  try {
    const log = path.join(dir, 'apt-get.log');
    const stub = (name: string, body: string) =>
      fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    stub('dpkg-query', 'exit 1');
    stub('apt-get', `echo "$@" >> '${log}'`);
    stub('sudo', 'exec "$@"');
    const r = spawnSync('bash', [script, ...args], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` },
    });
    const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n') : [];
    const install = lines.find((l) => l.startsWith('install ')) ?? '';
    const installed = install
      .split(' ')
      .slice(1)
      .filter((w) => !w.startsWith('-'));
    return { status: r.status, stderr: r.stderr, installed };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('deploy/install-deps.sh', () => {
  it('demo: only what npm run demo runs', () => {
    const r = run(['demo']);
    expect(r.status).toBe(0);
    expect(r.installed).toEqual(['prometheus-pushgateway', 'prometheus', 'prometheus-alertmanager']);
  });

  it('no argument: everything the tests use, the demo packages among them', () => {
    const r = run([]);
    expect(r.status).toBe(0);
    expect(r.installed).toHaveLength(25);
    expect(r.installed).toEqual(expect.arrayContaining(['prometheus-pushgateway', 'victoria-metrics', 'podman']));
    expect(run(['test']).installed).toEqual(r.installed);
  });

  it('an unknown set: exit 2 naming the known ones, nothing installed', () => {
    const r = run(['everything']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown set 'everything' (known: demo, test)");
    expect(r.installed).toEqual([]);
  });

  it("the README's lists are what each set installs", () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = /^\| packages \| for \|\n\|---\|---\|\n((?:\|.*\|\n)+)/m.exec(readme);
    expect(table).not.toBeNull();
    const listed = [...(table?.[1] ?? '').matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) =>
      [...m[1].matchAll(/`([a-z0-9.-]+)`/g)].map((p) => p[1]),
    );
    expect(listed.sort()).toEqual(run([]).installed.sort());
    const demo = /installs only what it runs:\n?\s*`([^`]+)`, `([^`]+)` and `([^`]+)`/.exec(readme);
    expect(demo?.slice(1)).toEqual(run(['demo']).installed);
  });
});
