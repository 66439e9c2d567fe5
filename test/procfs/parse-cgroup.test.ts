import * as fs from 'fs';
import * as path from 'path';
import { cgroupName, parseCgroup } from '../../platforms/procfs/parse-cgroup';
import { parseCmdline, parseStatusRealUid } from '../../platforms/procfs/parse-status';
import { parsePasswd } from '../../platforms/users';

const DIR = path.join(__dirname, '..', 'fixtures', 'cgroup');
const read = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');

describe('parseCgroup over captured, publicly captured and synthetic /proc/<pid>/cgroup files', () => {
  it.each([
    ['sandbox-hybrid-root-kthreadd', '/', 'root'],
    [
      'sandbox-hybrid-v1-memory-only',
      '/process_api/8c598e82309b4a58a836c454016add0d',
      'process_api/8c598e82309b4a58a836c454016add0d',
    ],
    ['sandbox-hybrid-v1-unit-named-cgroup', '/hp-capture.service', 'hp-capture.service'],
    ['systemd-219-v1-service-centos7-needrestart-issue-165', '/system.slice/docker.service', 'docker.service'],
    [
      'podman-unshare-v2-user-manager-crun-issue-376',
      '/user.slice/user-1000.slice/user@1000.service/user.slice/podman-6696.scope',
      'user@1000.service',
    ],
    [
      'systemd-232-hybrid-session-scope-systemd-issue-4602',
      '/user.slice/user-1000.slice/session-1.scope',
      'session-1.scope',
    ],
    ['systemd-hybrid-init-scope-ubuntu-below-pr-8106', '/init.scope', 'init.scope'],
    ['systemd-hybrid-init-scope-v2-only-atop-pr-284', '/init.scope', 'init.scope'],
    // the v2 line says /system.slice/containerd.service (the daemon's unit); the container is in the v1 lines
    [
      'docker-v1-cgroupfs-hybrid-ctrsploit-issue-280',
      '/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d',
      'docker:2403ccfe427f',
    ],
    [
      'docker-v1-systemd-driver-containerd-pr-285',
      '/system.slice/docker-b33dda97580e721a69fa81742190341f858ea809ec4a9d74a8cfd411b0ee7c26.scope',
      'docker:b33dda97580e',
    ],
    ['synthetic-v2-docker-systemd', expect.stringContaining('/system.slice/docker-4f1c'), 'docker:4f1c9a3e5b7d'],
    [
      'synthetic-v2-containerd-kubernetes',
      expect.stringContaining('/kubepods.slice/'),
      'pod:7d3c6a1e-2b4f-4c8d-9e0a-1b2c3d4e5f60',
    ],
    [
      'kubernetes-v1-cgroupfs-besteffort-moby-issue-34584',
      expect.stringContaining('/kubepods/besteffort/'),
      'pod:9a18ffb8-8513-11e7-b26e-7e29fbe2a5a3',
    ],
    [
      'podman-v2-systemd-fedora38-podman-issue-20423',
      expect.stringContaining('/machine.slice/libpod-'),
      'podman:cf21d19260ac',
    ],
    ['synthetic-v1-podman-cgroupfs', expect.stringContaining('/libpod_parent/'), 'podman:1e2d3c4b5a69'],
    ['synthetic-v2-crio', expect.stringContaining('crio-'), 'cri-o:5c4b3a29180f'],
  ])('%s', (file, p, name) => {
    expect(parseCgroup(read(file))).toEqual({ path: p, name });
  });

  it('prefers name=systemd, then memory, then v2, then any; skips garbled lines', () => {
    expect(parseCgroup('4:memory:/m\n1:name=systemd:/s\n0::/v2.service\n').path).toBe('/s');
    expect(parseCgroup('4:memory:/m\n1:name=systemd:/\n0::/v2.service\n').path).toBe('/m');
    expect(parseCgroup('3:cpu:/c\n1:name=systemd:/\n0::/v2.service\n').path).toBe('/v2.service');
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
    const m = parsePasswd(
      'root:x:0:0:root:/root:/bin/sh\n# c\nbad\ntoor:x:0:0::/:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n',
    );
    expect([...m]).toEqual([
      [0, 'root'],
      [33, 'www-data'],
    ]);
  });
});
