/** The Prometheus side checked by the tools that ship with it: promtool and amtool. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { renderPrometheusConfig } from '../../deploy/demo/render-config';

const PROM = path.join(__dirname, '..', '..', 'prometheus');
const ymls = (dir: string) =>
  fs
    .readdirSync(path.join(PROM, dir))
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => path.join(PROM, dir, f));

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const alertRules = (): Rule[] =>
  ymls('rules')
    .flatMap((f) =>
      (YAML.parse(fs.readFileSync(f, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules),
    )
    .filter((r) => r.alert !== undefined);

test('promtool check config accepts prometheus.yml and its rules', () => {
  const r = run('promtool', ['check', 'config', path.join(PROM, 'prometheus.yml')]);
  expect(r.out).toContain('is valid prometheus config file syntax');
  expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
  expect(r.code).toBe(0);
});

test('promtool check config accepts the loopback variant the demo and tests render', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promcfg-'));
  try {
    const file = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(
      file,
      renderPrometheusConfig(fs.readFileSync(path.join(PROM, 'prometheus.yml'), 'utf8'), {
        pushgateway: '127.0.0.1:19091',
        prometheus: '127.0.0.1:19090',
        alertmanager: '127.0.0.1:19093',
        scrapeInterval: '2s',
        evaluationInterval: '1s',
      }),
    );
    const r = run('promtool', ['check', 'config', file]);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code).toBe(0);
    const rendered = YAML.parse(fs.readFileSync(file, 'utf8')) as {
      scrape_configs: Array<{
        job_name: string;
        honor_labels?: boolean;
        static_configs?: Array<{ targets: string[] }>;
        file_sd_configs?: Array<{ files: string[] }>;
      }>;
    };
    // The pull-mode job keeps its file_sd targets: with no files beside the rendered config it scrapes nothing.
    const where = (j: (typeof rendered.scrape_configs)[number]) =>
      j.static_configs?.[0].targets ?? j.file_sd_configs?.[0].files;
    expect(rendered.scrape_configs.map((j) => [j.job_name, where(j)])).toEqual([
      ['pushgateway', ['127.0.0.1:19091']],
      ['hostpulse', ['targets/hostpulse/*.yml']],
      ['prometheus', ['127.0.0.1:19090']],
      ['alertmanager', ['127.0.0.1:19093']],
    ]);
    expect(rendered.scrape_configs[0].honor_labels).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool check rules accepts every rule file', () => {
  const r = run('promtool', ['check', 'rules', ...ymls('rules')]);
  expect(r.out).not.toContain('FAILED');
  expect(r.code).toBe(0);
});

test('promtool test rules passes every unit test', () => {
  const r = run('promtool', ['test', 'rules', ...ymls('tests')]);
  expect(r.out).not.toContain('FAILED');
  expect(r.code).toBe(0);
});

test('the required alerts exist, each with a severity and a summary and description naming host and value', () => {
  const rules = alertRules();
  expect(rules.map((r) => r.alert)).toEqual(
    expect.arrayContaining([
      'HostpulseMissingPushes',
      'HostpulsePushFailing',
      'HostpulseOOMKill',
      'HostpulseLowAvailableMemory',
      'HostpulseMemoryPressure',
      'HostpulseProcessMemoryGrowth',
      'HostpulseCollectorFailing',
    ]),
  );
  for (const r of rules) {
    expect([r.alert, r.labels?.severity]).toEqual([r.alert, expect.stringMatching(/^(critical|warning|info)$/)]);
    expect([r.alert, r.annotations?.summary]).toEqual([r.alert, expect.stringContaining('{{ $labels.instance }}')]);
    expect([r.alert, r.annotations?.description]).toEqual([r.alert, expect.stringContaining('{{ $labels.instance }}')]);
    expect([r.alert, r.annotations?.description]).toEqual([r.alert, expect.stringContaining('$value')]);
  }
  const byName = new Map(rules.map((r) => [r.alert, r.expr]));
  expect(byName.get('HostpulseMissingPushes')).toContain('hostpulse_agent_interval_seconds');
  expect(byName.get('HostpulseMissingPushes')).not.toContain('absent(');
  // Raw samples only: VictoriaMetrics' increase() counts a new series' first value (see vmalert.test.ts).
  expect(byName.get('HostpulseOOMKill')).toMatch(
    /hostpulse_host_oom_kills_total - min_over_time\(hostpulse_host_oom_kills_total\[\w+\]\)\) > 0/,
  );
  expect(byName.get('HostpulseOOMKill')).not.toContain('increase(');
  expect(byName.get('HostpulseProcessMemoryGrowth')).toContain('predict_linear(');
  expect(byName.get('HostpulseCollectorFailing')).toContain('hostpulse_agent_collector_success');
  const collector = rules.find((r) => r.alert === 'HostpulseCollectorFailing');
  expect(collector?.annotations?.summary).toContain('{{ $labels.collector }}');
  expect(collector?.annotations?.description).toContain('{{ $labels.collector }}');
});

test('every alert has promtool tests where it fires and where it does not', () => {
  interface AlertTest {
    alertname: string;
    exp_alerts?: unknown[];
  }
  const cases = ymls('tests').flatMap((f) =>
    (YAML.parse(fs.readFileSync(f, 'utf8')) as { tests: Array<{ alert_rule_test?: AlertTest[] }> }).tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    ),
  );
  for (const r of alertRules()) {
    const mine = cases.filter((c) => c.alertname === r.alert);
    expect([r.alert, mine.some((c) => (c.exp_alerts ?? []).length > 0)]).toEqual([r.alert, true]);
    expect([r.alert, mine.some((c) => (c.exp_alerts ?? []).length === 0)]).toEqual([r.alert, true]);
  }
});

test('amtool accepts alertmanager.yml', () => {
  const r = run('amtool', ['check-config', path.join(PROM, 'alertmanager.yml')]);
  expect(r.out).toContain('SUCCESS');
  expect(r.code).toBe(0);
});
