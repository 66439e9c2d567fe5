import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CLI } from '../support/cli';
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
    const agent = spawnTracked(process.execPath, [CLI, 'run', '--config', cfg, '--instance', 'reload', '--log-format', 'json']);
    try {
      await waitFor('a push with top 5', () => (gw.received.some((r) => exported(r.body) === 5) ? true : undefined));

      fs.writeFileSync(cfg, `pushgateway-url: ${gw.url}\ninterval: 200ms\ntop: 2\nprocfs-root: ${FIXTURE_PROC}\n`);
      agent.child.kill('SIGHUP');
      await waitFor('a push with top 2', () => (exported(gw.received[gw.received.length - 1]?.body ?? '') === 2 ? true : undefined));
      expect(agent.stderr()).toContain('configuration reloaded');

      fs.writeFileSync(cfg, `pushgateway-url: ${gw.url}\ntop: 1\nintervall: 1s\n`);
      agent.child.kill('SIGHUP');
      await waitFor('the rejection logged', () => (agent.stderr().includes('reload rejected') ? true : undefined));
      expect(agent.stderr()).toMatch(/reload rejected, keeping the running configuration: config file .*unknown key .*intervall/);
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
