import * as fs from 'fs';
import * as path from 'path';
import { pruneRows, renderPrune } from '../../agent/fleet/prune-rows';
import { groupUrlOf } from '../../agent/sink/grouping-key';
import { parseGatewayGroups, staleGroups } from '../../agent/sink/pushgateway-groups';

// Captured from Debian's prometheus-pushgateway 1.5.1: a/b pushed ~2 s before web-02 (site=dc1) and web-03.
const FIXTURE = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'pushgateway', 'debian-1.5.1-api-v1-metrics.json'), 'utf8'),
) as unknown;
const LAST = 1795449432.8153617;

describe('the Pushgateway groups fleet prune reads', () => {
  const groups = parseGatewayGroups(FIXTURE);

  it('reads every group with its whole grouping key and last push time', () => {
    expect(groups.map((g) => g.labels)).toEqual([
      { instance: 'a/b', job: 'hostpulse' },
      { instance: 'web-02', job: 'hostpulse', site: 'dc1' },
      { instance: 'web-03', job: 'hostpulse' },
    ]);
    expect(groups[0].lastPushSeconds).toBeCloseTo(1795449430.784, 2);
  });

  it('keeps only groups older than the cut-off, oldest first', () => {
    const now = LAST * 1000 + 1000;
    expect(staleGroups(groups, 1500, now).map((g) => g.labels.instance)).toEqual(['a/b']);
    expect(staleGroups(groups, 500, now).map((g) => g.labels.instance)).toEqual(['a/b', 'web-02', 'web-03']);
    expect(staleGroups(groups, 7 * 86400_000, now)).toEqual([]);
  });

  it('counts a group that never had a good push as stale', () => {
    const never = parseGatewayGroups({
      data: [{ labels: { job: 'j', instance: 'x' }, push_time_seconds: { metrics: [{ value: '0' }] } }],
    });
    expect(never[0].lastPushSeconds).toBeUndefined();
    expect(staleGroups(never, 86400_000, Date.now())).toHaveLength(1);
  });

  it('rejects an answer that is not the gateway API', () => {
    expect(() => parseGatewayGroups({ status: 'error' })).toThrow(/no data array/);
  });

  it('deletes each group by its exact key, job first, @base64 where a value has "/"', () => {
    const base = new URL('http://gw:9091/prefix/');
    expect(groupUrlOf(base, groups[0].labels).pathname).toBe('/prefix/metrics/job/hostpulse/instance@base64/YS9i');
    expect(groupUrlOf(base, groups[1].labels).pathname).toBe('/prefix/metrics/job/hostpulse/instance/web-02/site/dc1');
  });

  it('prints the age of each and says how to delete them', () => {
    const rows = pruneRows(staleGroups(groups, 1500, LAST * 1000 + 1000), LAST * 1000 + 1000);
    expect(rows).toEqual([{ group: { job: 'hostpulse', instance: 'a/b' }, last_push_age_seconds: 3 }]);
    const table = renderPrune('table', rows, false);
    expect(table).toMatch(/job=hostpulse instance=a\/b\s+3s ago/);
    expect(table).toContain('run again with --yes');
    expect(JSON.parse(renderPrune('json', rows, false))).toEqual(rows);
    expect(renderPrune('table', [], false)).toBe('no group older than that\n');
  });
});
