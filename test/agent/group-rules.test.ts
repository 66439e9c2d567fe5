import * as fs from 'fs';
import * as os from 'os';
import { UsageError } from '../../agent/errors';
import { parseGroupRules } from '../../agent/config/group-rules';
import { CachedGrouper, UNKNOWN_GROUP } from '../../agent/grouping/grouper';
import { matchRules, type ProcessFacts } from '../../agent/grouping/rule-match';
import type { ProcessSample } from '../../platforms/types';
import { runCli } from '../support/cli';

const facts = (comm: string, cmdline = '', cgroup = '/', user = 'root'): ProcessFacts => ({
  comm,
  cmdline: () => cmdline,
  cgroup: () => cgroup,
  user: () => user,
});

describe('--group-rules: parsing and validation', () => {
  const bad = (text: string): string => {
    try {
      parseGroupRules(text, 'rules.yml');
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      return (err as Error).message;
    }
    throw new Error('accepted');
  };

  it('reads ordered rules with every matcher', () => {
    const rules = parseGroupRules(
      '- name: java-$1\n  comm: ^java$\n  cmdline: -jar (\\S+)\\.jar\n- name: pg\n  user: postgres\n  cgroup: postgres\n',
      'r.yml',
    );
    expect(rules.map((r) => r.name)).toEqual(['java-$1', 'pg']);
    expect(rules[0].captures).toBe(1);
  });

  it('an unknown key, a bad regex, a missing name or matcher, a $N too far: exit-2 errors naming the line', () => {
    expect(bad('- name: a\n  comm: x\n- name: b\n  cmd: y\n')).toMatch(
      /^--group-rules rules\.yml:4: unknown key "cmd"/,
    );
    expect(bad('- name: a\n  comm: "(unclosed"\n')).toMatch(
      /^--group-rules rules\.yml:1: comm of rule "a": Invalid regular expression/,
    );
    expect(bad('- comm: x\n')).toMatch(/rules\.yml:1: a rule needs a non-empty name/);
    expect(bad('- name: a\n')).toMatch(/rules\.yml:1: rule "a" has no matcher/);
    expect(bad('- name: a-$2\n  comm: (x)\n')).toMatch(/uses \$2 but the rule has 1 capture group/);
    expect(bad('name: a\n')).toMatch(/rules\.yml:1: expected a list of rules/);
    expect(bad('- name: a\n  comm: [x]\n')).toMatch(/rules\.yml:2: "comm" must be a string/);
  });
});

describe('matchRules', () => {
  const rules = parseGroupRules(
    '- name: svc-$1\n  cgroup: /system\\.slice/(\\w+)\\.service\n- name: $1-$2\n  comm: ^(java)$\n  cmdline: -jar (\\S+)\\.jar\n- name: pg\n  user: postgres\n',
    'r.yml',
  );
  it('first match wins; names are filled from capture groups across matchers', () => {
    expect(matchRules(rules, facts('nginx', 'nginx: master', '/system.slice/nginx.service'))).toBe('svc-nginx');
    expect(matchRules(rules, facts('java', 'java -jar shop.jar'))).toBe('java-shop');
    expect(matchRules(rules, facts('postgres', '', '/', 'postgres'))).toBe('pg');
    expect(matchRules(rules, facts('bash'))).toBe('other');
  });
  it('reads a fact only when a rule needs it', () => {
    const cmdline = jest.fn(() => 'x');
    matchRules(parseGroupRules('- name: a\n  comm: ^a$\n  cmdline: x\n', 'r'), {
      comm: 'b',
      cmdline,
      cgroup: () => '/',
      user: () => 'u',
    });
    expect(cmdline).not.toHaveBeenCalled();
  });
});

describe('CachedGrouper: one lookup per (pid, start time)', () => {
  const p = (pid: number, start: number): ProcessSample => ({ pid, ppid: 1, comm: 'x', startTimeSeconds: start });
  it('reads a process once while it lives, again when its pid is reused, and forgets exited ones', () => {
    const resolve = jest.fn((q: ProcessSample) => `g${q.pid}-${q.startTimeSeconds}`);
    const g = new CachedGrouper(resolve);
    expect(g.keyOf(p(1, 10))).toBe('g1-10');
    g.endCycle();
    expect(g.keyOf(p(1, 10))).toBe('g1-10');
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(g.keyOf(p(1, 20))).toBe('g1-20');
    expect(resolve).toHaveBeenCalledTimes(2);
    g.endCycle();
    g.endCycle();
    expect(g.size).toBe(0);
  });
  it('a process that could not be read is "unknown" this cycle and tried again', () => {
    const resolve = jest.fn((): string | undefined => undefined);
    const g = new CachedGrouper(resolve);
    expect(g.keyOf(p(1, 10))).toBe(UNKNOWN_GROUP);
    g.endCycle();
    g.keyOf(p(1, 10));
    expect(resolve).toHaveBeenCalledTimes(2);
  });
});

describe('the CLI stops with exit 2 on bad grouping flags', () => {
  const base = ['once', '--stdout', '--procfs-root', `${__dirname}/../fixtures/proc`, '--kmsg-path', 'absent'];
  it('a rules file with an unknown key names its line', async () => {
    const file = `${os.tmpdir()}/hp-bad-rules-${process.pid}.yml`;
    fs.writeFileSync(file, '- name: a\n  comm: x\n- name: b\n  commm: y\n');
    const res = await runCli([...base, '--group-by', 'rules', '--group-rules', file]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${file}:4: unknown key "commm"`);
  });
  it('--group-by rules without a file, and an unknown grouping', async () => {
    expect((await runCli([...base, '--group-by', 'rules'])).stderr).toContain(
      '--group-by rules needs --group-rules FILE',
    );
    const res = await runCli([...base, '--group-by', 'pod']);
    expect(res.code).toBe(2);
  });
});
