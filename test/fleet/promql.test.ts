import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import {
  GROUP_CPU_RECORD,
  GROUP_RECORDS,
  HOST_CPU_RECORD,
  groupCpuByHost,
  groupCpuQueries,
  groupQueries,
  groupUnhealthyHosts,
  hostAgeLive,
  hostQueries,
  processQueries,
  promString,
  recordedGroupCpu,
  recordedGroupCpuQueries,
  recordedGroupQueries,
  recordedHostCpu,
  regexLiteral,
  selector,
} from '../../agent/fleet/promql';

describe('PromQL builders', () => {
  it('escapes label values so a host name cannot break out of the matcher', () => {
    expect(promString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(selector('m', 'x"}) or vector(1) #')).toBe('m{instance="x\\"}) or vector(1) #"}');
  });

  it('selects every host or one, with extra matchers', () => {
    expect(selector('m')).toBe('m');
    expect(selector('m', undefined, ['mode="idle"'])).toBe('m{mode="idle"}');
    expect(selector('m', 'h', ['mode="idle"'])).toBe('m{instance="h",mode="idle"}');
  });

  it('selects several hosts by their exact names, whatever characters the names hold', () => {
    expect(selector('m', ['web-1.example.com', 'a|b'])).toBe('m{instance=~"web-1\\\\.example\\\\.com|a\\\\|b"}');
    expect(new RegExp(`^(?:${regexLiteral('x.(y)+[z]')})$`).test('x.(y)+[z]')).toBe(true);
    expect(new RegExp(`^(?:${regexLiteral('x.y')})$`).test('xzy')).toBe(false);
  });

  it('aggregates every host query by instance, so the answer has one sample per host', () => {
    const q = hostQueries('1m');
    for (const text of [q.pushAge, q.cpu, q.memory, q.oomKills]) expect(text).toMatch(/by \(instance\)/);
    // By (job, instance): fetchHosts tells the hosts with no live age from these keys.
    expect(q.interval).toMatch(/^max by \(job, instance\)/);
    expect(q.liveAge).toBe(hostAgeLive());
    expect(q.cpu).toContain('rate(hostpulse_host_cpu_seconds_total{mode="idle"}[1m])');
    expect(q.oomKills).toContain('increase(hostpulse_host_oom_kills_total[1h])');
    // Push age as the alert rule measures it: behind a gateway from push_time_seconds, only for
    // groups of hostpulse agents; remote-written, from the last sample's timestamp, only for hosts
    // with no gateway group; scraped (an `up` of its own), from a finer subquery once its series went stale.
    expect(q.pushAge).toBe(
      'min by (instance) (((timestamp(push_time_seconds) - push_time_seconds) and on (job, instance) hostpulse_agent_interval_seconds)' +
        ' or (((time() - timestamp(hostpulse_agent_interval_seconds))' +
        ' or ((time() - max_over_time(timestamp(hostpulse_agent_interval_seconds)[1h:10s])) and on (job, instance) up)' +
        ' or (time() - max_over_time(timestamp(hostpulse_agent_interval_seconds)[1h:1m])))' +
        ' unless on (job, instance) last_over_time(push_time_seconds[1h])))',
    );
    // A remote-writing host that stopped stays in the host set for the hour, as a dead one on a gateway does.
    expect(q.interval).toBe(
      'max by (job, instance) (hostpulse_agent_interval_seconds or (last_over_time(hostpulse_agent_interval_seconds[1h]))' +
        ' unless on (job, instance) last_over_time(push_time_seconds[1h]))',
    );
    expect(hostQueries('1m', 'h').pushAge).not.toMatch(
      /(push_time_seconds|hostpulse_agent_interval_seconds)(?!\{instance="h"\})/,
    );
    expect(hostQueries('30s', 'host-a').memory).toContain('hostpulse_host_memory_total_bytes{instance="host-a"}');
  });

  it('restricts process queries to one host', () => {
    const q = processQueries('h', '2m');
    expect(q.rss).toBe('max by (pid, comm) (hostpulse_process_resident_memory_bytes{instance="h"})');
    // Only processes exported now: one that left the top N still has samples inside the window.
    expect(q.cpu).toBe(
      '100 * sum by (pid, comm) (rate(hostpulse_process_cpu_seconds_total{instance="h"}[2m]) and hostpulse_process_cpu_seconds_total{instance="h"})',
    );
  });

  it('asks for live ages without the subqueries, and for groups aggregated by Prometheus', () => {
    expect(hostAgeLive()).not.toMatch(/\[1h:/);
    expect(hostAgeLive()).toContain('time() - timestamp(hostpulse_agent_interval_seconds)');
    // One row per group comes back, whatever the fleet's size.
    for (const text of [...Object.values(groupQueries()), ...Object.values(groupCpuQueries(groupCpuByHost('1m')))])
      expect(text).toMatch(/^(count|avg|max) by \(group\)/);
    expect(groupUnhealthyHosts(['a', 'b.c'])).toBe(
      'count by (group) (max by (instance, group) (hostpulse_group_resident_memory_bytes{instance=~"a|b\\\\.c"}))',
    );
  });

  it('reads the group CPU the shipped recording rule records, with its window, when the window is the same', () => {
    const file = path.join(__dirname, '..', '..', 'prometheus', 'rules', 'hostpulse-fleet.yml');
    const { groups } = YAML.parse(fs.readFileSync(file, 'utf8')) as {
      groups: Array<{ rules: Array<{ record?: string; expr: string; labels?: Record<string, string> }> }>;
    };
    const rule = groups.flatMap((g) => g.rules).find((r) => r.record === GROUP_CPU_RECORD);
    const window = rule?.labels?.window ?? 'none';
    // The rule is the CLI's expression word for word, so both give the same rows.
    expect(rule?.expr).toBe(groupCpuByHost(window));
    expect(window).toBe('2m');
    expect(recordedGroupCpu('2m')).toBe('instance_group:hostpulse_group_cpu_percent:rate{window="2m"}');
    expect(groupCpuQueries(recordedGroupCpu('2m')).cpuMax).toBe(
      'max by (group) (instance_group:hostpulse_group_cpu_percent:rate{window="2m"})',
    );
  });
  it('reads every series the shipped rules record as the expression it would send without them', () => {
    const file = path.join(__dirname, '..', '..', 'prometheus', 'rules', 'hostpulse-fleet.yml');
    const { groups } = YAML.parse(fs.readFileSync(file, 'utf8')) as {
      groups: Array<{ rules: Array<{ record?: string; expr: string; labels?: Record<string, string> }> }>;
    };
    const rules = new Map(groups.flatMap((g) => g.rules).map((r) => [r.record, r]));
    const window = '2m';
    // Each record: the CLI's fallback query word for word, and the selector the CLI reads it with.
    const expected: Array<[string, string, string]> = [
      [HOST_CPU_RECORD, hostQueries(window).cpu, recordedHostCpu(window)],
      [GROUP_RECORDS.hosts, groupQueries().hosts, recordedGroupQueries().hosts],
      [GROUP_RECORDS.memoryAvg, groupQueries().memoryAvg, recordedGroupQueries().memoryAvg],
      [GROUP_RECORDS.memoryMax, groupQueries().memoryMax, recordedGroupQueries().memoryMax],
      [GROUP_RECORDS.cpuAvg, groupCpuQueries(recordedGroupCpu(window)).cpuAvg, recordedGroupCpuQueries(window).cpuAvg],
      [GROUP_RECORDS.cpuMax, groupCpuQueries(recordedGroupCpu(window)).cpuMax, recordedGroupCpuQueries(window).cpuMax],
    ];
    for (const [record, expr, read] of expected) {
      const rule = rules.get(record);
      expect({ record, expr: rule?.expr }).toEqual({ record, expr });
      // A rate's window is a label of what it records, and the CLI asks for its own --rate-window.
      const windowed = expr.includes(`[${window}]`) || expr.includes(`window="${window}"`);
      expect({ record, labels: rule?.labels }).toEqual({ record, labels: windowed ? { window } : undefined });
      expect(read).toBe(windowed ? `${record}{window="${window}"}` : record);
    }
    expect(recordedHostCpu('5m')).toBe('instance:hostpulse_host_cpu_percent:rate{window="5m"}');
  });
});
