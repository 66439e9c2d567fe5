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

/** The path chosen from the file: v2's when not the root, then systemd's v1 tree, then memory's, then any non-root one. */
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
  return v2 ?? systemd ?? memory ?? any ?? '/';
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
