/** `npm run demo` (deploy/demo/run.sh), driven as a user would: start it, look, Ctrl-C. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { freePort, spawnTracked, waitFor } from '../support/processes';
import { queryPrometheus } from '../support/prometheus';

const ROOT = path.join(__dirname, '..', '..');

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'agent', 'cli', 'main.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
}, 120000);

async function demoEnv(): Promise<NodeJS.ProcessEnv> {
  return {
    ...process.env,
    PUSHGATEWAY_PORT: String(await freePort()),
    PROMETHEUS_PORT: String(await freePort()),
    ALERTMANAGER_PORT: String(await freePort()),
    WEBHOOK_PORT: String(await freePort()),
    HOSTS: '2',
    INTERVAL: '1s',
    SCRAPE_INTERVAL: '2s',
    LOAD_SCALE: '0.25',
    // `npm test` has just built dist/; the demo's own build step is plain `npm run build`.
    DEMO_SKIP_BUILD: '1',
  };
}

function descendantsOf(pid: number): number[] {
  const kids = fs
    .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return kids.flatMap((k) => [k, ...descendantsOf(k)]);
}

test('the demo runs the stack with HOSTS agents on loopback, and Ctrl-C leaves nothing behind', async () => {
  const env = await demoEnv();
  const demo = spawnTracked('bash', [path.join(ROOT, 'deploy', 'demo', 'run.sh')], { env });
  try {
    await waitFor(
      'demo ready',
      () => {
        if (demo.child.exitCode !== null) throw new Error(`demo exited: ${demo.stderr()}`);
        return demo.stderr().includes('demo: ready') ? true : undefined;
      },
      60000,
    );
    const promUrl = `http://127.0.0.1:${env.PROMETHEUS_PORT}`;
    expect(demo.stdout()).toContain(promUrl);
    expect(demo.stdout()).toContain(`http://127.0.0.1:${env.PUSHGATEWAY_PORT}`);
    expect(demo.stdout()).toContain(`http://127.0.0.1:${env.ALERTMANAGER_PORT}`);
    const logs = /logs\s+(\S+)/.exec(demo.stdout())?.[1] ?? '';
    expect(fs.existsSync(logs)).toBe(true);

    const instances = await waitFor(
      'both demo hosts in Prometheus',
      async () => {
        const s = await queryPrometheus(promUrl, 'hostpulse_agent_interval_seconds');
        const names = s.map((x) => x.metric.instance).sort();
        return names.length === 2 ? names : undefined;
      },
      40000,
    );
    expect(instances).toEqual(['demo-host-1', 'demo-host-2']);
    // Prometheus loaded the project's rules and talks to the demo's Alertmanager.
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ name: string }> };
    };
    // Every group of every rules file under prometheus/rules, however many there are.
    const shipped = fs
      .readdirSync(path.join(__dirname, '..', '..', 'prometheus', 'rules'))
      .flatMap((f) =>
        [
          ...fs
            .readFileSync(path.join(__dirname, '..', '..', 'prometheus', 'rules', f), 'utf8')
            .matchAll(/^ {2}- name: (\S+)$/gm),
        ].map((m) => m[1]),
      )
      .sort();
    expect(shipped).toContain('hostpulse-host');
    expect(rules.data.groups.map((g) => g.name).sort()).toEqual(shipped);
    const ams = await waitFor('the Alertmanager in Prometheus', async () => {
      const body = (await (await fetch(`${promUrl}/api/v1/alertmanagers`)).json()) as {
        data: { activeAlertmanagers: Array<{ url: string }> };
      };
      const urls = body.data.activeAlertmanagers.map((a) => a.url);
      return urls.length > 0 ? urls : undefined;
    });
    expect(ams).toEqual([`http://127.0.0.1:${env.ALERTMANAGER_PORT}/api/v2/alerts`]);

    const tree = descendantsOf(demo.pid);
    // pushgateway, webhook printer, alertmanager, prometheus, load (+3 children), 2 agents, sleep
    expect(tree.length).toBeGreaterThanOrEqual(11);
    demo.child.kill('SIGINT');
    expect((await demo.exited).code).toBe(130);
    const left = tree.filter((p) => fs.existsSync(`/proc/${p}`));
    expect(left).toEqual([]);
    expect(fs.existsSync(logs)).toBe(false);
  } finally {
    await demo.stop();
  }
}, 90000);

test('the demo refuses a port that is taken, naming it and the variable to change', async () => {
  const env = await demoEnv();
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(Number(env.PROMETHEUS_PORT), '127.0.0.1', resolve));
  try {
    const demo = spawnTracked('bash', [path.join(ROOT, 'deploy', 'demo', 'run.sh')], { env });
    expect((await demo.exited).code).toBe(1);
    expect(demo.stderr()).toContain(`port ${env.PROMETHEUS_PORT} for Prometheus is taken`);
    expect(demo.stderr()).toContain('PROMETHEUS_PORT');
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});
