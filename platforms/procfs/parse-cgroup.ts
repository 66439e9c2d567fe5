/**
 * Parser for /proc/<pid>/cgroup (cgroups(7)): one `hierarchy-ID:controllers:path`
 * line per hierarchy. cgroup v1 has a line per mounted hierarchy (and
 * `name=systemd`), v2 one line `0::path`, a hybrid host both. Pure: text in,
 * record out.
 */
export interface CgroupRecord {
  /** The path that says most about where the process runs (see cgroupPath). */
  path: string;
  /** A readable group name for the path: a systemd unit, a container or pod, `root`. */
  name: string;
}

/**
 * The path chosen from the file, the first that is not the root of: systemd's
 * v1 tree (`name=systemd`), the v1 memory controller, the v2 line, any other
 * v1 controller. On a v1 or hybrid host the v1 lines come first because there
 * the v2 hierarchy carries no controllers and a cgroupfs-driver runtime does
 * not move its containers in it: a real docker capture (ctrsploit issue 280)
 * has every v1 line at `/docker/<id>` and `0::/system.slice/containerd.service`,
 * the daemon's unit. On a pure v2 host the v2 line is the only one.
 */
export function cgroupPath(text: string): string {
  let v2: string | undefined;
  let systemd: string | undefined;
  let memory: string | undefined;
  let any: string | undefined;
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) continue;
    const controllers = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (path === '' || path === '/') continue;
    if (controllers === '') v2 ??= path;
    else if (controllers === 'name=systemd') systemd ??= path;
    else if (controllers.split(',').includes('memory')) memory ??= path;
    else any ??= path;
  }
  return systemd ?? memory ?? v2 ?? any ?? '/';
}

const POD = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/;
/** systemd and cgroupfs forms of a container's scope, by runtime. */
const CONTAINER: ReadonlyArray<[RegExp, string]> = [
  [/^docker-([0-9a-f]{64})\.scope$/, 'docker'],
  [/^cri-containerd-([0-9a-f]{64})\.scope$/, 'containerd'],
  [/^crio-(?:conmon-)?([0-9a-f]{64})\.scope$/, 'cri-o'],
  [/^libpod-(?:conmon-)?([0-9a-f]{64})(?:\.scope)?$/, 'podman'],
];
const HEX64 = /^[0-9a-f]{64}$/;
const UNIT = /\.(service|scope)$/;

/**
 * A readable name for a cgroup path: under Kubernetes `pod:<uid>` (the
 * containers of a pod together); a container `<runtime>:<first 12 hex of its
 * id>` (docker, containerd, cri-o, podman; the cgroupfs layout `/docker/<id>`
 * too); else the first systemd unit on the path (`nginx.service`,
 * `user@1000.service`, `session-2.scope`); `root` for the root cgroup; else the
 * path without its leading `/`.
 */
export function cgroupName(path: string): string {
  if (path === '/' || path === '') return 'root';
  const pod = POD.exec(path);
  if (pod) return `pod:${pod[1].replace(/_/g, '-')}`;
  const parts = path.split('/').filter((s) => s !== '');
  for (let i = 0; i < parts.length; i++) {
    for (const [re, runtime] of CONTAINER) {
      const m = re.exec(parts[i]);
      if (m) return `${runtime}:${m[1].slice(0, 12)}`;
    }
    if (HEX64.test(parts[i]) && i > 0 && parts[i - 1] === 'docker') return `docker:${parts[i].slice(0, 12)}`;
  }
  for (const p of parts) if (UNIT.test(p)) return p;
  return parts.join('/');
}

export function parseCgroup(text: string): CgroupRecord {
  const path = cgroupPath(text);
  return { path, name: cgroupName(path) };
}
