import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { version } from '../../package.json';
import { runCli } from '../support/cli';

const FIXTURE_PROC = path.join(__dirname, '..', 'fixtures', 'proc');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-cli-'));
const file = (name: string, text: string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('bad flags and config stop before anything starts: one line, exit 2', () => {
  it.each([
    [['run', '--bogus'], /Unknown argument: bogus/],
    [['run', '--interval', 'abc'], /--interval "abc" is not a duration/],
    [['run', '--interval', '15'], /--interval "15" is not a duration/],
    [['run', '--interval=-1s'], /--interval "-1s" is not a duration/],
    [['run', '--top', '-3'], /--top must be a whole number >= 0/],
    [['run', '--top', 'many'], /--top must be a whole number >= 0/],
    [['run', '--oom-max-victims', '-1'], /--oom-max-victims must be a whole number from 0 to 1000/],
    [['run', '--oom-max-victims', 'lots'], /--oom-max-victims must be a whole number/],
    [['run', '--on-oom', ' '], /--on-oom must not be empty/],
    [['run', '--process-detail', 'foo'], /--process-detail: unknown kind "foo" \(choose any of pss, io, fds/],
    [['run', '--process-detail', 'pss,smaps'], /--process-detail: unknown kind "smaps"/],
    [['run', '--sampler', 'ps', '--process-detail', 'fds'], /--process-detail needs the procfs sampler/],
    [['run', '--on-oom-timeout', 'soon'], /--on-oom-timeout "soon" is not a duration/],
    [
      ['run', '--collectors', 'oom', '--kmsg-path', '/nonexistent/kmsg'],
      /collector oom cannot run here: \/nonexistent\/kmsg does not exist/,
    ],
    [['run', '--pushgateway-url', 'ftp://gw:21'], /--pushgateway-url "ftp:\/\/gw:21" must be http/],
    [['run', '--pushgateway-url', 'not a url'], /--pushgateway-url "not a url" is not a URL/],
    [['run', '--sampler', 'bogus'], /Invalid values:[\s\S]*sampler/],
    [['run', '--log-level', 'loud'], /Invalid values:[\s\S]*log-level/],
    [
      ['run', '--pushgateway-password-file', '/nonexistent'],
      /--pushgateway-password-file needs --pushgateway-username/,
    ],
    [
      ['run', '--pushgateway-username', 'u', '--pushgateway-password-file', '/nonexistent/pw'],
      /cannot read \/nonexistent\/pw/,
    ],
    [['run', '--config', '/nonexistent/hostpulse.yml'], /cannot read config file \/nonexistent\/hostpulse.yml/],
    [[], /name a command/],
  ])('%j', async (args, message) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr.split('\n')[0]).toMatch(/^hostpulse: /);
    expect(res.stdout).toBe('');
  });

  it('names an unknown key of the config file and the file', async () => {
    const cfg = file('typo.yml', 'interval: 5s\npushgatway-url: http://x\n');
    const res = await runCli(['once', '--stdout', '--config', cfg]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`config file ${cfg}: unknown key "pushgatway-url"`);
  });

  it('names an unknown HOSTPULSE_* variable (a typo in the env file)', async () => {
    const res = await runCli(['once', '--stdout'], { HOSTPULSE_INTERVALL: '5s' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Unknown argument: intervall (from the environment: HOSTPULSE_INTERVALL)');
  });

  it('ignores HOSTPULSE_PROMETHEUS_URL, which belongs to the fleet commands', async () => {
    const res = await runCli(['once', '--stdout', '--procfs-root', FIXTURE_PROC], {
      HOSTPULSE_PROMETHEUS_URL: 'http://prom:9090',
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('hostpulse_host_memory_total_bytes');
  });

  it('rejects a bad value from the environment naming the flag', async () => {
    const res = await runCli(['run'], { HOSTPULSE_INTERVAL: 'soon' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--interval "soon" is not a duration');
  });
});

describe("a collector's own flag given without the collector", () => {
  it('is not silently ignored: one warning names the flag, the collector and why it does not run', async () => {
    const res = await runCli([
      'once',
      '--stdout',
      '--procfs-root',
      FIXTURE_PROC,
      '--kmsg-path',
      '/nonexistent/kmsg',
      '--on-oom',
      'cat',
      '--block-scanners',
      '--log-format',
      'json',
    ]);
    expect(res.code).toBe(0);
    const warnings = res.stderr
      .split('\n')
      .filter((l) => l.includes('has no effect'))
      .map((l) => (JSON.parse(l) as { message: string }).message);
    expect(warnings).toEqual([
      '--on-oom set, but the oom collector does not run (/nonexistent/kmsg does not exist): it has no effect',
      expect.stringMatching(
        /^--block-scanners set, but the connections collector does not run \(.+\): it has no effect$/,
      ),
    ]);
  });
});

describe('flags win over env, env over the config file', () => {
  const intervalOf = (exposition: string) => /^hostpulse_agent_interval_seconds (\S+)$/m.exec(exposition)?.[1];
  const once = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCli(['once', '--stdout', '--procfs-root', FIXTURE_PROC, ...args], env);

  it('file alone', async () => {
    const cfg = file('a.yml', 'interval: 7s\n');
    expect(intervalOf((await once(['--config', cfg])).stdout)).toBe('7');
  });

  it('env over file', async () => {
    const cfg = file('b.json', '{"interval": "7s"}');
    expect(intervalOf((await once(['--config', cfg], { HOSTPULSE_INTERVAL: '9s' })).stdout)).toBe('9');
  });

  it('flag over env and file', async () => {
    const cfg = file('c.yml', 'interval: 7s\n');
    expect(
      intervalOf((await once(['--config', cfg, '--interval', '500ms'], { HOSTPULSE_INTERVAL: '9s' })).stdout),
    ).toBe('0.5');
  });
});

describe('--help and --version', () => {
  it('--version prints the package version', async () => {
    const res = await runCli(['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(version);
  });

  it.each([['run'], ['once'], ['fleet']])('%s --help explains the options', async (cmd) => {
    const res = await runCli([cmd, '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`hostpulse ${cmd}`);
  });

  it('run --help lists every flag with its default', async () => {
    const res = await runCli(['run', '--help']);
    for (const flag of [
      '--pushgateway-url',
      '--job',
      '--instance',
      '--interval',
      '--top',
      '--procfs-root',
      '--sampler',
      '--log-level',
      '--log-format',
      '--push-timeout',
    ]) {
      expect(res.stdout).toContain(flag);
    }
    expect(res.stdout).toContain('[default: "15s"]');
  });
});
