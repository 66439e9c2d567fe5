import { buildOomRows, oomLines } from '../../agent/fleet/oom-rows';
import { oomQueries } from '../../agent/fleet/promql';
import { OOM_COLUMNS } from '../../agent/fleet/render';
import { formatTable } from '../../agent/fleet/table';

const m = (o: Record<string, number | null>) => new Map(Object.entries(o));

describe('fleet ooms rows', () => {
  const rows = buildOomRows({
    hostKills: m({ a: 2.0000001, b: 0, c: 4, d: null }),
    victimKills: m({ 'a\0java\0cgroup': 2, 'c\0sh\0host': 1, 'c\0python\0cgroup': 2, 'b\0x\0host': 0 }),
    victimRss: m({ 'a\0java': 1073741824, 'c\0python': 52428800 }),
  });

  it('lists hosts with kills, worst first, victims by kills; the kernel count is the total', () => {
    expect(rows).toEqual([
      {
        instance: 'c',
        kills: 4,
        victims: [
          { comm: 'python', constraint: 'cgroup', kills: 2, last_rss_bytes: 52428800 },
          { comm: 'sh', constraint: 'host', kills: 1, last_rss_bytes: null },
        ],
      },
      {
        instance: 'a',
        kills: 2,
        victims: [{ comm: 'java', constraint: 'cgroup', kills: 2, last_rss_bytes: 1073741824 }],
      },
    ]);
  });

  it('a host whose kernel log is not read is listed with "?" victims', () => {
    const r = buildOomRows({ hostKills: m({ z: 3 }), victimKills: m({}), victimRss: m({}) });
    expect(r).toEqual([{ instance: 'z', kills: 3, victims: [] }]);
    expect(formatTable(OOM_COLUMNS, oomLines(r))).toMatch(/^z\s+3\s+\?\s+\?\s+-\s+-\s*$/m);
  });

  it('renders one line per victim, the host on its first', () => {
    const text = formatTable(OOM_COLUMNS, oomLines(rows));
    expect(text.split('\n')[0]).toMatch(/^INSTANCE\s+KILLS\s+COMM\s+CONSTRAINT\s+VICTIM KILLS\s+LAST RSS/);
    expect(text).toMatch(/^c\s+4\s+python\s+cgroup\s+2\s+50(\.0)? MiB/m);
    expect(text).toMatch(/^\s+sh\s+host\s+1\s+-/m);
  });

  it('PromQL: young victim series count whole, older ones by their increase', () => {
    expect(oomQueries('1h')).toEqual({
      hostKills: 'sum by (instance) (round(increase(hostpulse_host_oom_kills_total[1h]))) > 0',
      victimKills:
        '(sum by (instance, comm, constraint) ((round(increase(hostpulse_oom_kills_total[1h])) and hostpulse_oom_kills_total offset 1h)' +
        ' or (hostpulse_oom_kills_total unless hostpulse_oom_kills_total offset 1h))) > 0',
      victimRss: 'max by (instance, comm) (last_over_time(hostpulse_oom_victim_resident_memory_bytes[1h]))',
    });
  });
});
