import * as fs from 'fs';
import * as path from 'path';
import { cgroupName, parseCgroup } from '../../platforms/procfs/parse-cgroup';
import { parseCmdline, parseStatusRealUid } from '../../platforms/procfs/parse-status';
import { parsePasswd } from '../../platforms/users';

const DIR = path.join(__dirname, '..', 'fixtures', 'cgroup');
const read = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');

describe('parseCgroup over captured and synthetic /proc/<pid>/cgroup files', () => {
  it.each([
    ['sandbox-hybrid-root-kthreadd', '/', 'root'],
    ['sandbox-hybrid-v1-memory-only', '/process_api/8c598e82309b4a58a836c454016add0d', 'process_api/8c598e82309b4a58a836c454016add0d'],
    ['sandbox-hybrid-v1-unit-named-cgroup', '/hp-capture.service', 'hp-capture.service'],
    ['synthetic-systemd-hybrid-nginx', '/system.slice/nginx.service', 'nginx.service'],
    ['synthetic-systemd-hybrid-user-manager', '/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service', 'user@1000.service'],
    ['synthetic-v2-session-scope', '/user.slice/user-1000.slice/session-3.scope', 'session-3.scope'],
    ['synthetic-v2-init-scope', '/init.scope', 'init.scope'],
    ['synthetic-v2-docker-systemd', expect.stringContaining('/system.slice/docker-4f1c'), 'docker:4f1c9a3e5b7d'],
    ['synthetic-v1-docker-cgroupfs', expect.stringContaining('/docker/4f1c'), 'docker:4f1c9a3e5b7d'],
    ['synthetic-v2-containerd-kubernetes', expect.stringContaining('/kubepods.slice/'), 'pod:7d3c6a1e-2b4f-4c8d-9e0a-1b2c3d4e5f60'],
    ['synthetic-v1-kubernetes-cgroupfs', expect.stringContaining('/kubepods/besteffort/'), 'pod:7d3c6a1e-2b4f-4c8d-9e0a-1b2c3d4e5f60'],
    ['synthetic-v2-podman-systemd', expect.stringContaining('/machine.slice/libpod-'), 'podman:1e2d3c4b5a69'],
    ['synthetic-v1-podman-cgroupfs', expect.stringContaining('/libpod_parent/'), 'podman:1e2d3c4b5a69'],
    ['synthetic-v2-crio', expect.stringContaining('crio-'), 'cri-o:5c4b3a29180f'],
  ])('%s', (file, p, name) => {
    expect(parseCgroup(read(file))).toEqual({ path: p, name });
  });

  it('prefers v2, then name=systemd, then memory; skips garbled lines', () => {
    expect(parseCgroup('4:memory:/m\n1:name=systemd:/s\n0::/v2.service\n').path).toBe('/v2.service');
    expect(parseCgroup('4:memory:/m\n1:name=systemd:/s.service\n0::/\n').path).toBe('/s.service');
    expect(parseCgroup('garbage\n3:cpu:/c\n4:memory:/m\n').path).toBe('/m');
    expect(parseCgroup('').name).toBe('root');
  });

  it('a path with no unit or container is named by the path itself', () => {
    expect(cgroupName('/system.slice')).toBe('system.slice');
  });
});

describe('status, cmdline and passwd parsers', () => {
  it('reads the real uid, not the effective one', () => {
    expect(parseStatusRealUid('Name:\tsu\nUid:\t1000\t0\t0\t0\nGid:\t0\t0\t0\t0\n')).toBe(1000);
    expect(parseStatusRealUid('Name:\tx\n')).toBeUndefined();
  });
  it('joins the arguments of a command line', () => {
    expect(parseCmdline('java\0-jar\0shop.jar\0')).toBe('java -jar shop.jar');
    expect(parseCmdline('')).toBe('');
  });
  it('maps uids to the first name listed for them', () => {
    const m = parsePasswd('root:x:0:0:root:/root:/bin/sh\n# c\nbad\ntoor:x:0:0::/:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n');
    expect([...m]).toEqual([[0, 'root'], [33, 'www-data']]);
  });
});
