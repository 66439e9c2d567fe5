import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireBuiltCli, spawnCli } from '../support/cli';
import { parseExposition } from '../support/exposition';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway';
import { waitFor, type Spawned } from '../support/processes';

/**
 * An OOM storm as the kernel logs it (rate-limited summaries, a summary whose
 * kill never came, lost records), fed to the real agent through a kernel-log
 * file: every kill names the cgroup of its own victim or none at all.
 */
const STORM = path.join(__dirname, '..', 'fixtures', 'kmsg', 'storm-6.18-memcg-ratelimited.kmsg');

describe('OOM attribution in a storm, real agent', () => {
  beforeAll(requireBuiltCli);
  let gw: FakeGateway;
  let agent: Spawned | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oom-storm-'));

  beforeAll(async () => {
    gw = await startFakeGateway((_req, res) => res.writeHead(200).end());
  });
  afterAll(async () => {
    await agent?.stop();
    await gw.stop();
  });

  it('pairs each summary with the kill of its pid, never with a later kill; lost records reset it', async () => {
    const kmsg = path.join(dir, 'kmsg');
    fs.writeFileSync(kmsg, '');
    agent = spawnCli([
      'run',
      '--pushgateway-url',
      gw.url,
      '--interval',
      '300ms',
      '--collectors',
      'host,oom',
      '--kmsg-path',
      kmsg,
      '--log-format',
      'json',
      '--on-oom',
      `echo "$HOSTPULSE_OOM_PID \${HOSTPULSE_OOM_CGROUP:-none}" >> ${dir}/hook`,
    ]);
    await waitFor('first push', () => (gw.received.length > 0 ? true : undefined), 20000, 50);
    fs.appendFileSync(kmsg, fs.readFileSync(STORM));

    const kills = await waitFor(
      'four kills logged',
      () => {
        const k = agent!
          .stderr()
          .split('\n')
          .filter((l) => l.includes('"event":"oom_kill"'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        return k.length === 4 ? k : undefined;
      },
      20000,
      100,
    );
    expect(kills.map((k) => [k.pid, k.task_memcg ?? null])).toEqual([
      [2001, '/system.slice/a.service'],
      [2003, null], // its summary was rate-limited; 2002's (a user service) must not be taken
      [2005, null], // after lost records
      [2006, '/system.slice/f.service'],
    ]);
    const hook = await waitFor(
      'the hook ran for each kill',
      () => {
        const f = path.join(dir, 'hook');
        const lines = fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n') : [];
        return lines.length === 4 ? lines : undefined;
      },
      20000,
      100,
    );
    expect(hook).toEqual(['2001 /system.slice/a.service', '2003 none', '2005 none', '2006 /system.slice/f.service']);
    const lost = await waitFor(
      'the loss counted in a push',
      () => {
        const s = parseExposition(gw.received.at(-1)!.body).find(
          (x) => x.name === 'hostpulse_oom_kernel_log_records_lost_total',
        );
        return s && s.value > 0 ? s.value : undefined;
      },
      20000,
      100,
    );
    expect(lost).toBe(22);
  }, 60000);
});
