import { HostRow } from '../../agent/fleet/host-rows';
import { GROUP_COLUMNS, PROCESS_COLUMNS, renderHosts, renderRows } from '../../agent/fleet/render';
import { fmtBytes, formatTable } from '../../agent/fleet/table';
import { CLEAR_SCREEN, renderWatchFrame } from '../../agent/fleet/watch-frame';

const hosts: HostRow[] = [
  {
    instance: 'db-1',
    status: 'unhealthy',
    reasons: ['memory: 95.5% > 90%'],
    cpu_percent: 3,
    memory_percent: 95.5,
    oom_kills_1h: 2,
    last_push_age_seconds: 1.2,
  },
  {
    instance: 'web-10',
    status: 'ok',
    reasons: [],
    cpu_percent: null,
    memory_percent: 41.25,
    oom_kills_1h: 0,
    last_push_age_seconds: 125,
  },
];

describe('tables', () => {
  it('aligns columns: text left, numbers right, two spaces apart', () => {
    expect(renderHosts('table', hosts)).toBe(
      [
        'INSTANCE  STATUS      CPU  MEMORY  OOM/1H  LAST PUSH',
        'db-1      unhealthy  3.0%   95.5%       2   1.2s ago',
        'web-10    ok            -   41.3%       0  2m05s ago',
        '',
      ].join('\n'),
    );
  });

  it('adds the reasons column for unhealthy', () => {
    expect(renderHosts('table', hosts, true).split('\n')[1]).toMatch(/1\.2s ago {2}memory: 95\.5% > 90%$/);
  });

  it('replaces control characters so a process name cannot move the cursor', () => {
    expect(formatTable([{ header: 'C', cell: (s: string) => s }], ['a\u001b[2Jb'])).toBe('C\na?[2Jb\n');
  });

  it('prints sizes in binary units', () => {
    expect([
      fmtBytes(null),
      fmtBytes(512),
      fmtBytes(1536),
      fmtBytes(300 * 1024 * 1024),
      fmtBytes(5 * 1024 ** 3),
    ]).toEqual(['-', '512 B', '1.5 KiB', '300 MiB', '5.0 GiB']);
  });

  it('says so when there is nothing to show, and JSON is an empty array', () => {
    expect(renderRows('table', PROCESS_COLUMNS, [], 'no processes')).toBe('no processes\n');
    expect(renderRows('json', GROUP_COLUMNS, [], 'x')).toBe('[]\n');
  });
});

describe('JSON', () => {
  it('is the rows as an array of objects with the stable field names', () => {
    const parsed = JSON.parse(renderHosts('json', hosts)) as Array<Record<string, unknown>>;
    expect(Object.keys(parsed[0])).toEqual([
      'instance',
      'status',
      'reasons',
      'cpu_percent',
      'memory_percent',
      'oom_kills_1h',
      'last_push_age_seconds',
    ]);
    expect(parsed[1].cpu_percent).toBeNull();
  });
});

describe('watch frames', () => {
  const frame = {
    time: '2024-01-01T00:00:00.000Z',
    host: hosts[0],
    processes: [{ pid: 7, comm: 'java', rss_bytes: 2 * 1024 ** 3, cpu_percent: 80 }],
  };

  it('redraws in place: clear screen, summary, reasons, processes', () => {
    const text = renderWatchFrame('table', frame, 'db-1', '5s');
    expect(text.startsWith(CLEAR_SCREEN + 'hostpulse fleet watch db-1  every 5s')).toBe(true);
    expect(text).toContain('reasons: memory: 95.5% > 90%\n');
    expect(text).toMatch(/PID {2}COMM\s+RSS\s+CPU\n\s+7 {2}java {2}2\.0 GiB {2}80\.0%\n$/);
  });

  it('shows a failed refresh as an error line', () => {
    const text = renderWatchFrame(
      'table',
      { time: frame.time, host: null, processes: [], error: 'cannot reach Prometheus' },
      'db-1',
      '5s',
    );
    expect(text).toContain('error: cannot reach Prometheus\n');
  });

  it('is one JSON line per refresh in json mode', () => {
    const text = renderWatchFrame('json', frame, 'db-1', '5s');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toEqual(frame);
  });
});
