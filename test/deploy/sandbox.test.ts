/**
 * What the unit promises, checked without a running systemd (CI has none):
 * the staged agent runs as an unprivileged user with no capabilities at all
 * (DynamicUser=yes, CapabilityBoundingSet=), with the shipped env file, still
 * sees other users' processes, pushes to a real Pushgateway and serves
 * /metrics on a listening socket (--sink scrape), stops cleanly on
 * SIGTERM within TimeoutStopSec, and makes no system call that the unit's
 * SystemCallFilter= would refuse.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { freePort, spawnTracked, Spawned, waitFor } from '../support/processes';
import { gatewayMetrics, RunningServer, startPushgateway } from '../support/pushgateway';
import { repo, runInstaller, snapshotSource } from './support/staging';
import { filterAllowList, parseStraceSummary } from './support/syscall-filter';
import { parseUnit, timespanMs, unitValue } from './support/unit-file';

const unit = parseUnit(fs.readFileSync(path.join(repo, 'deploy/systemd/hostpulse.service'), 'utf8'));
const NOBODY = 65534;

/** The uncommented assignments of an env file, as systemd's EnvironmentFile= reads them. */
function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

/** The first child of `pid` (strace's tracee). */
function childOf(pid: number): number | undefined {
  const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return kids === '' ? undefined : Number(kids.split(' ')[0]);
}

const why = process.getuid?.() === 0 ? undefined : 'not root (it switches to uid 65534 with setpriv)';
if (why) console.warn(`SKIPPED the staged agent under the unit's sandbox: ${why}`);

(why ? describe.skip : describe)('the staged agent under the unit’s identity, capabilities and syscall filter', () => {
  let dir: string;
  let gateway: RunningServer;
  let rootOnly: Spawned;
  let agent: Spawned;
  const instance = `sandbox-${process.pid}`;
  /** Where the agent also serves /metrics (--sink scrape): a listening socket under the same sandbox. */
  let scrapeUrl: string;
  const straceOut = () => path.join(dir, 'out/strace.txt');

  beforeAll(async () => {
    // One capability, CAP_SYSLOG (the kernel log, for the oom collector), in both the
    // bounding and the ambient set; the agent below runs with exactly that.
    expect(unitValue(unit, 'Service', 'CapabilityBoundingSet')).toBe('CAP_SYSLOG');
    expect(unitValue(unit, 'Service', 'AmbientCapabilities')).toBe('CAP_SYSLOG');
    expect(unitValue(unit, 'Service', 'DynamicUser')).toBe('yes');

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-sandbox-'));
    fs.chmodSync(dir, 0o755);
    const stage = path.join(dir, 'stage');
    const src = snapshotSource();
    const res = runInstaller(src, stage);
    fs.rmSync(src, { recursive: true, force: true });
    expect(res.status).toBe(0);
    fs.mkdirSync(path.join(dir, 'out'), { mode: 0o777 });
    fs.chmodSync(path.join(dir, 'out'), 0o777);

    // A root-owned process with a name nothing else has: the agent must count it.
    const sleeper = path.join(dir, 'hp-rootonly');
    fs.copyFileSync('/bin/sleep', sleeper);
    fs.chmodSync(sleeper, 0o755);
    rootOnly = spawnTracked(sleeper, ['300']);

    gateway = await startPushgateway();
    const scrapePort = await freePort();
    scrapeUrl = `http://127.0.0.1:${scrapePort}/metrics`;
    const env = {
      // What systemd gives a system service: a fixed PATH, no HOME, the env file.
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      ...readEnvFile(path.join(stage, 'etc/hostpulse/hostpulse.env')),
      HOSTPULSE_PUSHGATEWAY_URL: gateway.url,
      HOSTPULSE_INSTANCE: instance,
      HOSTPULSE_INTERVAL: '1s',
      HOSTPULSE_SINK: 'pushgateway,scrape',
      HOSTPULSE_LISTEN_ADDRESS: `127.0.0.1:${scrapePort}`,
    };
    const [exec, ...args] = unitValue(unit, 'Service', 'ExecStart')!.split(' ');
    agent = spawnTracked(
      'setpriv',
      [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        '--clear-groups',
        '--inh-caps=-all,+syslog',
        '--ambient-caps=+syslog',
        '--bounding-set=-all,+syslog',
        '--no-new-privs',
        '--',
        'strace',
        '-f',
        '-qq',
        '-c',
        '-U',
        'name',
        '-o',
        straceOut(),
        path.join(stage, exec),
        ...args,
      ],
      { env },
    );
  });

  afterAll(async () => {
    await agent?.stop(1000);
    await rootOnly?.stop(1000);
    await gateway?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pushes to the Pushgateway and counts a root-owned process, with no sampling errors', async () => {
    const seen = await waitFor(
      'the root-owned process in the pushed groups',
      async () => {
        if (agent.child.exitCode !== null) throw new Error(`agent exited: ${agent.stderr()}`);
        const metrics = await gatewayMetrics(gateway.url);
        const s = (metrics.get('hostpulse_group_processes') ?? []).find(
          (x) => x.labels.instance === instance && x.labels.group === 'hp-rootonly',
        );
        return s ? metrics : undefined;
      },
      30000,
    );
    const group = seen.get('hostpulse_group_processes')!.find((x) => x.labels.group === 'hp-rootonly')!;
    expect(Number(group.value)).toBe(1);
    expect(seen.get('hostpulse_host_memory_total_bytes')?.some((x) => x.labels.instance === instance)).toBe(true);
    const errors = (seen.get('hostpulse_agent_sample_errors_total') ?? []).filter(
      (x) => x.labels.instance === instance,
    );
    expect(errors.filter((x) => Number(x.value) > 0)).toEqual([]);
    // With the unit's CAP_SYSLOG, nobody reads the kernel log even where kernel.dmesg_restrict=1.
    const oom = (seen.get('hostpulse_agent_collector_success') ?? []).find(
      (x) => x.labels.instance === instance && x.labels.collector === 'oom',
    );
    expect(oom?.value).toBe('1');
    // The agent's own log line proves the env file reached it: JSON to stderr.
    expect(agent.stderr()).toMatch(/^\{.*"message":"hostpulse started"/m);
  });

  it('serves /metrics for Prometheus to scrape (--sink scrape) under the same identity and filter', async () => {
    const body = await waitFor('a scrape of the sandboxed agent', async () => {
      const res = await fetch(scrapeUrl);
      return res.status === 200 ? res.text() : undefined;
    });
    expect(body).toMatch(/^hostpulse_group_processes\{group="hp-rootonly"\} 1$/m);
  });

  it('stops with exit code 0 on SIGTERM within TimeoutStopSec', async () => {
    const node = childOf(agent.pid);
    expect(node).toBeDefined();
    process.kill(node!, 'SIGTERM');
    const limit = timespanMs(unitValue(unit, 'Service', 'TimeoutStopSec')!);
    const killer = setTimeout(() => agent.child.kill('SIGKILL'), limit);
    const { code, signal } = await agent.exited;
    clearTimeout(killer);
    // strace exits with its tracee's status; SIGKILL here would mean systemd would have had to kill it too.
    expect(signal).toBeNull();
    expect(code).toBe(0);
  });

  it('makes only system calls the unit’s SystemCallFilter= allows', () => {
    const used = parseStraceSummary(fs.readFileSync(straceOut(), 'utf8'));
    expect(used.has('openat')).toBe(true);
    const allowed = filterAllowList(unit.get('Service')!.get('SystemCallFilter')!);
    const refused = [...used].filter((s) => !allowed.has(s)).sort();
    expect(refused).toEqual([]);
  });
});
