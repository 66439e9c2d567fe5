import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFile } from 'child_process';
import { instantQuery, startVictoriaMetrics, type VictoriaMetricsServer } from '../../bench/harness/victoria-metrics';
import { waitFor } from '../../bench/harness/wait';
import type { FleetReport } from '../../bench/fleet-sim/report';
import { gatewayMetrics, startPushgateway, type RunningServer } from '../support/pushgateway';

const SIM = path.resolve(__dirname, '..', '..', 'dist', 'bench', 'fleet-sim', 'main.js');
const HOSTS = 50;

/** `npm run fleet-sim -- ...` as a user runs it (built by `npm test`), with --json-file; the report it wrote. */
function runSim(args: string[]): Promise<{ code: number; stdout: string; stderr: string; report: FleetReport }> {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hp-fleet-sim-')), 'report.json');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SIM, ...args, '--json-file', json], { timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      try {
        resolve({ code, stdout, stderr, report: JSON.parse(fs.readFileSync(json, 'utf8')) as FleetReport });
      } catch (e) {
        reject(new Error(`fleet-sim wrote no report (exit ${code}): ${stderr}\n${String(e)}`));
      } finally {
        fs.rmSync(path.dirname(json), { recursive: true, force: true });
      }
    });
  });
}

// 10 s (the push timeout too), not 1 s: on a loaded 2-core machine a short timeout can cut a request the receiver
// then takes (and gets again), and the counts below are exact. A cold receiver may need longer for every first push:
// --wait-arrival.
const common = [
  '--hosts',
  String(HOSTS),
  '--interval',
  '10s',
  '--duration',
  '20s',
  '--wait-arrival',
  '60s',
  '--progress',
  '5s',
];

describe('fleet-sim against a real Pushgateway: 50 hosts', () => {
  let gw: RunningServer;
  beforeAll(async () => {
    gw = await startPushgateway();
  });
  afterAll(async () => {
    await gw?.stop();
  });

  it('every host arrives, and the gateway holds exactly the series the report says', async () => {
    const r = await runSim([
      ...common,
      '--sink',
      'pushgateway',
      '--url',
      gw.url,
      '--receiver-pid',
      String(gw.proc.pid),
      '--instance-prefix',
      'e2e-',
      '--no-scrape',
    ]);
    expect(r.stderr).toContain('hosts up');
    expect(r.stdout).toContain(`hosts arrived      ${HOSTS}/${HOSTS}`);
    const m = await gatewayMetrics(gw.url);
    const instances = new Set((m.get('push_time_seconds') ?? []).map((s) => s.labels.instance));
    expect(instances.size).toBe(HOSTS);
    expect([...instances].every((i) => /^e2e-\d{5}$/.test(i))).toBe(true);
    expect(r.report.hostsArrived).toBe(HOSTS);
    let held = 0;
    for (const [name, series] of m)
      if (name !== 'push_time_seconds' && name !== 'push_failure_time_seconds') held += series.length;
    expect(held).toBe(r.report.seriesHeld);
    expect(r.report.seriesPerHost).toBeGreaterThan(500);
    expect(r.report.samplesAccepted + r.report.samplesDropped).toBe(r.report.samplesOffered);
    // gzip really went over the wire and the gateway read it.
    expect(r.report.pushBytes!.gzip).toBeLessThan(r.report.pushBytes!.text / 3);
    expect(r.report.receiver!.pid).toBe(gw.proc.pid);
    expect(r.report.receiver!.rssMb).toBeGreaterThan(0);
  }, 120_000);
});

describe('fleet-sim against VictoriaMetrics (remote write): 50 hosts', () => {
  let vm: VictoriaMetricsServer;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
  });
  afterAll(async () => {
    await vm?.stop();
  });

  it('every host arrives, and VictoriaMetrics inserted exactly the samples the report says it accepted', async () => {
    const r = await runSim([
      ...common,
      '--sink',
      'remote-write',
      '--url',
      vm.writeUrl,
      '--receiver-pid',
      String(vm.proc.pid),
    ]);
    expect(r.report.hostsArrived).toBe(HOSTS);
    expect(r.report.samplesDropped).toBe(0);
    expect(r.report.samplesAccepted + r.report.samplesBuffered).toBe(r.report.samplesOffered);
    const inserted = async (): Promise<number> => {
      const text = await (await fetch(`${vm.url}/metrics`)).text();
      return Number(/^vm_rows_inserted_total\{type="promremotewrite"\} (\d+)$/m.exec(text)?.[1]);
    };
    // Counted as VictoriaMetrics stores them; a moment may pass before the counter shows the last request.
    await waitFor(
      `vm_rows_inserted_total = ${r.report.samplesAccepted}`,
      async () => ((await inserted()) === r.report.samplesAccepted ? true : undefined),
      10000,
    );
    const hosts = await waitFor('every host queryable', async () => {
      const v = await instantQuery(vm.url, 'count(count by (instance) (hostpulse_host_info{instance=~"sim-.*"}))');
      return v[0]?.value === HOSTS ? v[0].value : undefined;
    });
    expect(hosts).toBe(HOSTS);
    expect(r.report.receiver!.cpuCores).toBeGreaterThan(0);
  }, 120_000);
});
