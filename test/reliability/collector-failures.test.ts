import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { splayMs } from '../../agent/loop/schedule';
import { spawnCli } from '../support/cli';
import { parseExposition, type Sample } from '../support/exposition';
import { startFakeGateway } from '../support/fake-gateway';
import { waitFor, type Spawned } from '../support/processes';
import { gatewayMetrics, startPushgateway } from '../support/pushgateway';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const REAL_PS = execFileSync('sh', ['-c', 'command -v ps'], { encoding: 'utf8' }).trim();
const REAL_TOP = execFileSync('sh', ['-c', 'command -v top'], { encoding: 'utf8' }).trim();

type Mode = 'real' | 'garbage' | 'hang';

/**
 * A `ps` and a `top` first on PATH that answer the version probe as the real
 * ones do, then behave as a mode file says: run the real command, print
 * garbage, or hang (recording the hung pid).
 */
function brokenCommands(mode: Mode) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-broken-'));
  const modeFile = path.join(dir, 'mode');
  /** One line per hung run: its pid and when it started (Unix ms). */
  const pidFile = path.join(dir, 'hung-pids');
  for (const [name, real] of [
    ['ps', REAL_PS],
    ['top', REAL_TOP],
  ]) {
    fs.writeFileSync(
      path.join(dir, name),
      `#!/bin/sh
case "$1" in --version|-V) exec ${real} "$@";; esac
case "$(cat ${modeFile})" in
  garbage) echo 'Segmentation fault (core dumped)'; echo '%%% not a process table %%%';;
  hang) echo "$$ $(date +%s%3N)" >> ${pidFile}; exec sleep 60;;
  *) exec ${real} "$@";;
esac
`,
      { mode: 0o755 },
    );
  }
  const set = (m: Mode) => fs.writeFileSync(modeFile, m);
  set(mode);
  return {
    set,
    env: { PATH: `${dir}:${process.env.PATH ?? ''}` },
    hung: () =>
      (fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim().split('\n') : []).map((l) => {
        const [pid, startedMs] = l.split(' ').map(Number);
        return { pid, startedMs };
      }),
  };
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

function logLines(agent: Spawned): Array<{ level: string; message: string }> {
  return agent
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; message: string });
}

async function withFakeGateway(run: (url: string, pushes: () => Sample[][]) => Promise<void>): Promise<void> {
  const gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
  try {
    await run(gw.url, () => gw.received.map((r) => parseExposition(r.body)));
  } finally {
    await gw.stop();
  }
}

/** Waits for a push that `check` accepts, and returns it. */
const pushWhere = (what: string, pushes: () => Sample[][], check: (s: Sample[]) => boolean) =>
  waitFor(what, () => pushes().find(check));

describe.each([
  ['ps', 'returned no process'],
  ['top', 'no process table'],
])('a %s that prints garbage', (sampler, why) => {
  it('costs only the processes collector: host metrics still pushed, success 0, logged once, and it recovers', async () => {
    const cmds = brokenCommands('garbage');
    await withFakeGateway(async (url, pushes) => {
      const agent = spawnCli(
        [
          'run',
          '--pushgateway-url',
          url,
          '--interval',
          '300ms',
          '--instance',
          `garbage-${sampler}`,
          '--sampler',
          sampler,
          '--log-format',
          'json',
        ],
        { env: cmds.env },
      );
      try {
        const failing = await pushWhere(
          'three failed cycles',
          pushes,
          (s) => (value(s, 'hostpulse_agent_collector_failures_total', { collector: 'processes' }) ?? 0) >= 3,
        );
        expect(value(failing, 'hostpulse_agent_collector_success', { collector: 'processes' })).toBe(0);
        expect(value(failing, 'hostpulse_agent_collector_success', { collector: 'host' })).toBe(1);
        expect(value(failing, 'hostpulse_host_memory_total_bytes')).toBeGreaterThan(0);
        expect(failing.some((s) => s.name === 'hostpulse_process_resident_memory_bytes')).toBe(false);
        expect(value(failing, 'hostpulse_host_info', { sampler })).toBe(1);

        cmds.set('real');
        const healed = await pushWhere(
          'a push after the command came back',
          pushes,
          (s) => value(s, 'hostpulse_agent_collector_success', { collector: 'processes' }) === 1,
        );
        expect(healed.some((s) => s.name === 'hostpulse_process_resident_memory_bytes')).toBe(true);
        await agent.stop();

        const lines = logLines(agent);
        const failed = lines.filter((l) => l.message.startsWith('collector processes failed'));
        expect(failed).toHaveLength(1);
        expect(failed[0].level).toBe('warn');
        expect(failed[0].message).toContain(why);
        expect(lines.filter((l) => l.message === 'collector processes recovered')).toHaveLength(1);
      } finally {
        await agent.stop();
      }
    });
  });
});

describe('a ps that hangs', () => {
  it('is killed at its timeout; the cycle still pushes the host metrics', async () => {
    const cmds = brokenCommands('hang');
    await withFakeGateway(async (url, pushes) => {
      // The ps timeout is the interval (at most 5 s): 1 s here.
      const agent = spawnCli(
        [
          'run',
          '--pushgateway-url',
          url,
          '--interval',
          '1s',
          '--instance',
          'hang-ps',
          '--sampler',
          'ps',
          '--log-format',
          'json',
        ],
        { env: cmds.env },
      );
      try {
        const s = await pushWhere(
          'a push with the processes collector failed',
          pushes,
          (p) => value(p, 'hostpulse_agent_collector_success', { collector: 'processes' }) === 0,
        );
        expect(value(s, 'hostpulse_host_memory_available_bytes')).toBeGreaterThan(0);
        const first = cmds.hung()[0];
        await waitFor('the hung ps killed', () => (fs.existsSync(`/proc/${first.pid}`) ? undefined : true));
        await agent.stop();
        expect(logLines(agent).find((l) => l.message.startsWith('collector processes failed'))?.message).toMatch(
          /timed out after 1000 ms \(killed\)/,
        );
      } finally {
        await agent.stop();
      }
    });
  });

  it('does not hold up SIGTERM: the ps is killed at once, the agent exits 0, and the cut-short cycle is not pushed', async () => {
    const cmds = brokenCommands('hang');
    // A long interval makes the ps timeout 5 s; an instance whose splay starts the first cycle soon.
    const intervalMs = 60_000;
    let instance = 'hang-stop';
    for (let i = 0; splayMs(instance, intervalMs) > 1000; i++) instance = `hang-stop-${i}`;
    await withFakeGateway(async (url, pushes) => {
      const agent = spawnCli(
        [
          'run',
          '--pushgateway-url',
          url,
          '--interval',
          '60s',
          '--instance',
          instance,
          '--sampler',
          'ps',
          '--log-format',
          'json',
        ],
        { env: cmds.env },
      );
      try {
        const hung = await waitFor('ps hanging', () => cmds.hung()[0]);
        agent.child.kill('SIGTERM');
        const { code } = await agent.exited;
        const exitedMs = Date.now();
        expect(code).toBe(0);
        expect(fs.existsSync(`/proc/${hung.pid}`)).toBe(false);
        // Waiting for the ps would end it at its timeout, 5 s after it started, never sooner;
        // killing it at the SIGTERM ends it within a moment of the signal.
        expect(exitedMs - hung.startedMs).toBeLessThan(5000);
        expect(pushes()).toHaveLength(0);
        expect(agent.stderr()).toContain('hostpulse stopped');
      } finally {
        await agent.stop();
      }
    });
  });
});

describe('a procfs root whose stat becomes unreadable', () => {
  it('makes the host collector incomplete: what it read still goes out, success 0, logged once, and it recovers', async () => {
    const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hp-proc-')), 'proc');
    fs.cpSync(FIXTURE_PROC, root, { recursive: true });
    await withFakeGateway(async (url, pushes) => {
      const agent = spawnCli([
        'run',
        '--pushgateway-url',
        url,
        '--interval',
        '300ms',
        '--instance',
        'broken-stat',
        '--procfs-root',
        root,
        '--log-format',
        'json',
      ]);
      try {
        await pushWhere(
          'a healthy push',
          pushes,
          (s) => value(s, 'hostpulse_agent_collector_success', { collector: 'host' }) === 1,
        );
        // Root reads any file whatever its mode: a directory in its place cannot be read by anyone.
        fs.renameSync(path.join(root, 'stat'), path.join(root, 'stat.away'));
        fs.mkdirSync(path.join(root, 'stat'));
        const broken = await pushWhere(
          'a push with host incomplete',
          pushes,
          (s) => value(s, 'hostpulse_agent_collector_success', { collector: 'host' }) === 0,
        );
        expect(value(broken, 'hostpulse_host_memory_total_bytes')).toBeGreaterThan(0);
        expect(broken.some((s) => s.name === 'hostpulse_host_cpu_seconds_total')).toBe(false);
        expect(value(broken, 'hostpulse_agent_collector_success', { collector: 'processes' })).toBe(1);
        expect(value(broken, 'hostpulse_agent_sample_errors_total', { reason: 'read_failed' })).toBeGreaterThanOrEqual(
          1,
        );

        fs.rmdirSync(path.join(root, 'stat'));
        fs.renameSync(path.join(root, 'stat.away'), path.join(root, 'stat'));
        const healed = await waitFor('a healthy push again', () => {
          const last = pushes().at(-1);
          return last && value(last, 'hostpulse_agent_collector_success', { collector: 'host' }) === 1
            ? last
            : undefined;
        });
        expect(healed.some((s) => s.name === 'hostpulse_host_cpu_seconds_total')).toBe(true);
        await agent.stop();

        const lines = logLines(agent);
        const failed = lines.filter((l) => l.message.startsWith('collector host failed'));
        expect(failed).toHaveLength(1);
        expect(failed[0].message).toMatch(/incomplete: stat: .*EISDIR/);
        expect(lines.filter((l) => l.message === 'collector host recovered')).toHaveLength(1);
      } finally {
        await agent.stop();
      }
    });
  });
});

describe('a Pushgateway with its default consistency check', () => {
  it('accepts every push of two agents while one has a failing collector, and its /metrics stays consistent', async () => {
    const gw = await startPushgateway({ consistencyCheck: true });
    const cmds = brokenCommands('garbage');
    const start = (instance: string, extra: string[], env?: NodeJS.ProcessEnv) =>
      spawnCli(
        [
          'run',
          '--pushgateway-url',
          gw.url,
          '--interval',
          '2s',
          '--instance',
          instance,
          '--log-format',
          'json',
          ...extra,
        ],
        env ? { env } : {},
      );
    const healthy = start('consistent-healthy', ['--procfs-root', FIXTURE_PROC]);
    const broken = start('consistent-broken', ['--sampler', 'ps'], cmds.env);
    const series = async (name: string, instance: string) =>
      ((await gatewayMetrics(gw.url)).get(name) ?? []).filter((s) => s.labels.instance === instance);
    const failures = async () =>
      Number(
        (await series('hostpulse_agent_collector_failures_total', 'consistent-broken')).find(
          (s) => s.labels.collector === 'processes',
        )?.value ?? 0,
      );
    try {
      await waitFor(
        'two failed cycles of the broken agent',
        async () => ((await failures()) >= 2 ? true : undefined),
        60_000,
        500,
      );
      expect((await series('hostpulse_process_resident_memory_bytes', 'consistent-healthy')).length).toBeGreaterThan(0);
      expect(await series('hostpulse_process_resident_memory_bytes', 'consistent-broken')).toHaveLength(0);

      cmds.set('real');
      await waitFor(
        'the broken agent pushing processes again',
        async () =>
          (await series('hostpulse_process_resident_memory_bytes', 'consistent-broken')).length > 0 ? true : undefined,
        60_000,
        500,
      );
      // The gateway accepted every push: no failure time on either group, none counted by the agents.
      for (const instance of ['consistent-healthy', 'consistent-broken']) {
        const failedAt = await series('push_failure_time_seconds', instance);
        expect(failedAt.map((s) => Number(s.value))).toEqual([0]);
        expect((await series('hostpulse_agent_push_failures_total', instance)).map((s) => Number(s.value))).toEqual([
          0,
        ]);
      }
      const res = await fetch(`${gw.url}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text.match(/^# TYPE hostpulse_process_resident_memory_bytes gauge$/gm)).toHaveLength(1);
      expect(text).toMatch(
        /^hostpulse_agent_collector_success\{collector="processes",instance="consistent-broken",job="hostpulse"\} 1$/m,
      );
    } finally {
      await healthy.stop();
      await broken.stop();
      await gw.stop();
    }
    for (const agent of [healthy, broken]) expect(agent.stderr()).not.toContain('push failed');
  }, 120_000);
});
