import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fdTargets } from '../../bench/proc-stat';
import { spawnCli } from '../support/cli';
import { parseExposition } from '../support/exposition';
import { startFakeGateway } from '../support/fake-gateway';
import { spawnTracked, waitFor } from '../support/processes';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const exported = (body: string) =>
  parseExposition(body).find((s) => s.name === 'hostpulse_agent_processes' && s.labels.state === 'exported')?.value;

describe('SIGHUP reloads the config file', () => {
  it('applies a good new config, and rejects a bad one keeping the running config', async () => {
    const gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
    const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hp-reload-')), 'hostpulse.yml');
    fs.writeFileSync(cfg, `pushgateway-url: ${gw.url}\ninterval: 200ms\ntop: 5\nprocfs-root: ${FIXTURE_PROC}\n`);
    const agent = spawnCli(['run', '--config', cfg, '--instance', 'reload', '--log-format', 'json']);
    try {
      await waitFor('a push with top 5', () => (gw.received.some((r) => exported(r.body) === 5) ? true : undefined));

      fs.writeFileSync(cfg, `pushgateway-url: ${gw.url}\ninterval: 200ms\ntop: 2\nprocfs-root: ${FIXTURE_PROC}\n`);
      agent.child.kill('SIGHUP');
      await waitFor('a push with top 2', () =>
        exported(gw.received[gw.received.length - 1]?.body ?? '') === 2 ? true : undefined,
      );
      expect(agent.stderr()).toContain('configuration reloaded');

      fs.writeFileSync(cfg, `pushgateway-url: ${gw.url}\ntop: 1\nintervall: 1s\n`);
      agent.child.kill('SIGHUP');
      await waitFor('the rejection logged', () => (agent.stderr().includes('reload rejected') ? true : undefined));
      expect(agent.stderr()).toMatch(
        /reload rejected, keeping the running configuration: config file .*unknown key .*intervall/,
      );
      const before = gw.received.length;
      await waitFor('pushes go on', () => (gw.received.length >= before + 3 ? true : undefined));
      expect(exported(gw.received[gw.received.length - 1].body)).toBe(2);
      expect(agent.child.exitCode).toBeNull();
    } finally {
      await agent.stop();
      await gw.stop();
    }
    expect((await agent.exited).code).toBe(0);
  });
});

describe('a reload changes the collectors whole, or not at all', () => {
  it('a new collector list replaces the old one; a rejected one leaves every pushed family as it was', async () => {
    const gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
    const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hp-reload-')), 'hostpulse.yml');
    const base = `pushgateway-url: ${gw.url}\ninterval: 200ms\nprocfs-root: ${FIXTURE_PROC}\nkmsg-path: /nonexistent/kmsg\n`;
    fs.writeFileSync(cfg, base);
    const agent = spawnCli(['run', '--config', cfg, '--instance', 'reload-collectors', '--log-format', 'json']);
    /** Families and collector_success labels of a push: what a reload may or may not change. */
    const shape = (body: string) => {
      const samples = parseExposition(body);
      return {
        families: [...new Set(samples.map((x) => x.name))].sort(),
        collectors: samples
          .filter((x) => x.name === 'hostpulse_agent_collector_success')
          .map((x) => x.labels.collector)
          .sort(),
      };
    };
    const last = () => shape(gw.received[gw.received.length - 1]?.body ?? '');
    try {
      await waitFor('a push with both collectors', () =>
        last().collectors.join() === 'host,processes' ? true : undefined,
      );

      fs.writeFileSync(cfg, `${base}collectors:\n  - host\n`);
      agent.child.kill('SIGHUP');
      await waitFor('a push with the host collector only', () =>
        last().collectors.join() === 'host' ? true : undefined,
      );
      const hostOnly = last();
      expect(
        hostOnly.families.some((f) => f.startsWith('hostpulse_process_') || f.startsWith('hostpulse_group_')),
      ).toBe(false);
      expect(hostOnly.families).toContain('hostpulse_host_memory_total_bytes');

      fs.writeFileSync(cfg, `${base}collectors: host,nosuch\n`);
      agent.child.kill('SIGHUP');
      await waitFor('the rejection logged', () => (agent.stderr().includes('reload rejected') ? true : undefined));
      const rejected = agent
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: string; message: string })
        .filter((l) => l.message.startsWith('reload rejected'));
      expect(rejected).toHaveLength(1);
      expect(rejected[0].message).toMatch(
        /keeping the running configuration: --collectors: unknown collector "nosuch"/,
      );
      const before = gw.received.length;
      await waitFor('pushes go on', () => (gw.received.length >= before + 3 ? true : undefined));
      expect(last()).toEqual(hostOnly);
      expect(agent.child.exitCode).toBeNull();
    } finally {
      await agent.stop();
      await gw.stop();
    }
    expect((await agent.exited).code).toBe(0);
  });
});

describe('a reload against the real /proc', () => {
  it('keeps group CPU counters going up and releases the kept /proc files of the old sampler', async () => {
    const gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
    const cfg = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hp-reload-')), 'hostpulse.yml');
    fs.writeFileSync(cfg, `pushgateway-url: ${gw.url}\ninterval: 200ms\n`);
    // Short busy processes that keep exiting: their group's CPU lives only in the agent's totals.
    const burner = spawnTracked('bash', [
      '-c',
      'while :; do sh -c "i=0; while [ \\$i -lt 60000 ]; do i=\\$((i+1)); done"; done',
    ]);
    const agent = spawnCli(['run', '--config', cfg, '--instance', 'reload-proc', '--log-format', 'json']);
    /** /proc/<pid>/stat files the agent holds open more than once: an old sampler's kept files. */
    const statFdsTwice = () => {
      const stats = fdTargets(agent.pid).filter((t) => /^\/proc\/\d+\/stat$/.test(t));
      return stats.filter((t, i) => stats.indexOf(t) !== i);
    };
    const groupCpu = (body: string) =>
      new Map(
        parseExposition(body)
          .filter((s) => s.name === 'hostpulse_group_cpu_seconds_total')
          .map((s) => [`${s.labels.group}/${s.labels.mode}`, s.value]),
      );
    try {
      await waitFor('a few pushes', () => (gw.received.length >= 10 ? true : undefined));
      // The sampler keeps stat files open across cycles: the test means nothing if it does not.
      expect(fdTargets(agent.pid).some((t) => /^\/proc\/\d+\/stat$/.test(t))).toBe(true);
      for (let i = 1; i <= 3; i++) {
        const seen = gw.received.length;
        agent.child.kill('SIGHUP');
        await waitFor(`reload ${i}`, () =>
          agent.stderr().split('configuration reloaded').length - 1 === i && gw.received.length > seen + 2
            ? true
            : undefined,
        );
      }
      // Every reload builds a new sampler; the old one's kept stat files must be closed,
      // so no process's stat file is open twice (however many processes the machine runs).
      expect(statFdsTwice()).toEqual([]);

      const backwards: string[] = [];
      let prev = groupCpu(gw.received[0].body);
      for (const r of gw.received.slice(1)) {
        const cur = groupCpu(r.body);
        for (const [key, v] of cur) if (v < (prev.get(key) ?? 0)) backwards.push(`${key}: ${prev.get(key)} -> ${v}`);
        prev = cur;
      }
      expect(backwards).toEqual([]);
      expect([...prev.keys()]).toContain('sh/user');
    } finally {
      await burner.stop();
      await agent.stop();
      await gw.stop();
    }
  });
});
