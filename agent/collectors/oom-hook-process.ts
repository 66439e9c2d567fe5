import * as fs from 'fs';
import { errnoCode } from '../../platforms/errno';

/** Where the command's programs are looked up when the agent itself has no PATH (systemd always sets one). */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * One kill as the command gets it: the JSON object on its stdin, and the
 * documented HOSTPULSE_OOM_* variables of its environment.
 */
export interface OomHookFields {
  host: string;
  job: string;
  instance: string;
  pid: number;
  comm: string;
  uid?: number;
  /** The victim's memory cgroup (task_memcg), e.g. /system.slice/foo.service. */
  cgroup?: string;
  /** The cgroup whose limit was hit (oom_memcg). */
  oomCgroup?: string;
  constraint: string;
  rssBytes: number;
  time: string;
}

/**
 * The whole environment of an --on-oom command: PATH and the HOSTPULSE_OOM_*
 * variables, nothing else. The agent's own environment may hold credentials
 * (HOSTPULSE_*_PASSWORD, proxies with userinfo) a remediation script has no
 * business seeing; a variable that is absent (no uid, no cgroup) is left out.
 */
export function oomHookEnv(f: OomHookFields, agentPath: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: agentPath !== undefined && agentPath !== '' ? agentPath : DEFAULT_PATH,
    HOSTPULSE_OOM_HOST: f.host,
    HOSTPULSE_OOM_JOB: f.job,
    HOSTPULSE_OOM_INSTANCE: f.instance,
    HOSTPULSE_OOM_PID: String(f.pid),
    HOSTPULSE_OOM_COMM: f.comm,
    HOSTPULSE_OOM_CONSTRAINT: f.constraint,
    HOSTPULSE_OOM_RSS_BYTES: String(f.rssBytes),
    HOSTPULSE_OOM_TIME: f.time,
  };
  if (f.uid !== undefined) env.HOSTPULSE_OOM_UID = String(f.uid);
  if (f.cgroup !== undefined) env.HOSTPULSE_OOM_CGROUP = f.cgroup;
  if (f.oomCgroup !== undefined) env.HOSTPULSE_OOM_OOM_CGROUP = f.oomCgroup;
  return env;
}

/**
 * Whether this process holds ambient (or inheritable) capabilities that a
 * child would inherit across execve: the unit grants CAP_SYSLOG (and
 * CAP_NET_ADMIN with the blocking drop-in) as ambient capabilities, which a
 * non-root child keeps. Reads `CapAmb`/`CapInh` of /proc/self/status; false
 * where there is no such file (not Linux).
 */
export function holdsInheritableCaps(statusPath = '/proc/self/status'): boolean {
  let text: string;
  try {
    text = fs.readFileSync(statusPath, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  return /^Cap(?:Amb|Inh):\s*0*[1-9a-f]/im.test(text);
}

/**
 * The argv that runs `sh -c command`: through util-linux `setpriv`, which
 * clears the ambient and inheritable sets before it execs sh, when the agent
 * holds capabilities a child would inherit (no privilege is needed to lower
 * them); plain sh otherwise. A missing setpriv fails the run (ENOENT, logged)
 * rather than run the command with the agent's capabilities.
 */
export function oomHookArgv(command: string, dropCaps: boolean): [string, string[]] {
  if (!dropCaps) return ['sh', ['-c', command]];
  return ['setpriv', ['--inh-caps=-all', '--ambient-caps=-all', '--', 'sh', '-c', command]];
}

/**
 * SIGKILLs every process of the group `pgid` (the command started it as its
 * own group leader). ESRCH: nobody is left in it, which is the goal.
 */
export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (err) {
    if (errnoCode(err) !== 'ESRCH') throw err;
  }
}
