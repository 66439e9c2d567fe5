import * as fs from 'fs';
import * as path from 'path';
import type { FamilySnapshot } from '../../agent/metrics/exposition';
import { GRAPHITE_PATHS, GraphitePaths, defaultTemplate, sanitizeElement } from '../../agent/sink/graphite/paths';
import { renderPlaintext } from '../../agent/sink/graphite/plaintext';
import { gaugeDatagrams } from '../../agent/sink/statsd/datagrams';
import { parseAddress } from '../../agent/config/address';
import { parseSinkList } from '../../agent/config/sink-config';
import { UsageError } from '../../agent/errors';

type Labels = Record<string, string | number>;
const family = (name: string, type: 'gauge' | 'counter', values: Array<[Labels, number]>): FamilySnapshot =>
  ({
    name,
    help: 'h',
    type,
    aggregator: 'sum',
    values: values.map(([labels, value]) => ({ labels, value })),
  }) as unknown as FamilySnapshot;

describe('Graphite path elements', () => {
  it.each([
    ['nginx', 'nginx'],
    ['kworker/1:0H-events', 'kworker_1_0H-events'],
    ['web1.example.com', 'web1_example_com'],
    ['Web Content', 'Web_Content'],
    ['(sd-pam)', '_sd-pam_'],
    ['日本', '__'],
    ['a😀b', 'a_b'],
    ['x*?[]{}', 'x______'],
    ['a:b|c\n', 'a_b_c_'],
    ['', '_'],
  ])('%j becomes %j', (raw, clean) => {
    expect(sanitizeElement(raw)).toBe(clean);
  });
});

describe('GraphitePaths: families to paths', () => {
  const paths = new GraphitePaths(['hostpulse'], 'web1.example.com');
  const all = (families: FamilySnapshot[]): Array<[string, number]> => {
    const out: Array<[string, number]> = [];
    paths.forEach(families, (p, v) => out.push([p, v]));
    return out;
  };

  it('per-pid series follow <prefix>.<host>.<comm>.<pid>.rss|vsz; groups, host and counters as docs/sinks.md says', () => {
    expect(
      all([
        family('hostpulse_process_resident_memory_bytes', 'gauge', [[{ pid: '4242', comm: 'Web Content' }, 1234]]),
        family('hostpulse_process_virtual_memory_bytes', 'gauge', [[{ pid: '4242', comm: 'Web Content' }, 5678]]),
        family('hostpulse_process_cpu_seconds_total', 'counter', [
          [{ pid: '4242', comm: 'Web Content', mode: 'user' }, 1.5],
        ]),
        family('hostpulse_group_resident_memory_bytes', 'gauge', [[{ group: 'kworker' }, 0]]),
        family('hostpulse_group_cpu_seconds_total', 'counter', [[{ group: 'nginx', mode: 'system' }, 12.25]]),
        family('hostpulse_host_memory_available_bytes', 'gauge', [[{}, 1e9]]),
        family('hostpulse_host_cpu_seconds_total', 'counter', [[{ mode: 'idle' }, 99]]),
        family('hostpulse_agent_samples_dropped_total', 'counter', [[{ sink: 'statsd', reason: 'send_failed' }, 3]]),
      ]),
    ).toEqual([
      ['hostpulse.web1_example_com.Web_Content.4242.rss', 1234],
      ['hostpulse.web1_example_com.Web_Content.4242.vsz', 5678],
      ['hostpulse.web1_example_com.Web_Content.4242.cpu_seconds.user', 1.5],
      ['hostpulse.web1_example_com.groups.kworker.rss', 0],
      ['hostpulse.web1_example_com.groups.nginx.cpu_seconds.system', 12.25],
      ['hostpulse.web1_example_com.host.memory_available', 1e9],
      ['hostpulse.web1_example_com.host.cpu_seconds.idle', 99],
      ['hostpulse.web1_example_com.agent.samples_dropped.statsd.send_failed', 3],
    ]);
  });

  it('sends no host_info (its labels are text) and no NaN or infinity', () => {
    expect(
      all([
        family('hostpulse_host_info', 'gauge', [[{ os: 'linux', kernel: '6.1' }, 1]]),
        family('hostpulse_host_load1', 'gauge', [[{}, Number.NaN]]),
        family('hostpulse_host_load5', 'gauge', [[{}, Number.POSITIVE_INFINITY]]),
        family('hostpulse_host_load15', 'gauge', [[{}, 0.5]]),
      ]),
    ).toEqual([['hostpulse.web1_example_com.host.load15', 0.5]]);
  });

  it('a family the table does not know still goes out: <section>.<rest>, then its label values by label name', () => {
    expect(defaultTemplate('hostpulse_spool_oldest_pending_age_seconds', [])).toBe('spool.oldest_pending_age_seconds');
    expect(defaultTemplate('hostpulse_spool_files_total', ['state', 'queue'])).toBe('spool.files.{queue}.{state}');
    expect(all([family('hostpulse_spool_bytes', 'gauge', [[{ queue: 'in/box' }, 7]])])).toEqual([
      ['hostpulse.web1_example_com.spool.bytes.in_box', 7],
    ]);
  });

  it('an empty prefix starts the path at the host', () => {
    expect(new GraphitePaths([], 'h').path('hostpulse_host_load1', {})).toBe('h.host.load1');
  });

  it('docs/sinks.md maps every family exactly as the code does', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'sinks.md'), 'utf8');
    const block = /<!-- block: graphite paths -->([\s\S]*?)<!-- end block: graphite paths -->/.exec(readme);
    expect(block).not.toBeNull();
    const rows = new Map<string, string>();
    for (const m of (block?.[1] ?? '').matchAll(/^\| `(hostpulse_[a-z0-9_]+)` \| (.+?) \|$/gm)) rows.set(m[1], m[2]);
    const expected = new Map(
      Object.entries(GRAPHITE_PATHS).map(([name, t]) => [name, t === null ? '(not sent)' : `\`<prefix>.<host>.${t}\``]),
    );
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(expected));
  });
});

describe('plaintext and statsd datagrams', () => {
  const paths = new GraphitePaths(['hp'], 'h');
  const families = [
    family(
      'hostpulse_process_resident_memory_bytes',
      'gauge',
      Array.from({ length: 200 }, (_, i): [Labels, number] => [
        { pid: String(1000 + i), comm: `proc${i % 7}` },
        4096 * i,
      ]),
    ),
    family('hostpulse_host_load1', 'gauge', [[{}, 0.25]]),
  ];

  it('carbon plaintext: one "path value seconds" line per value', () => {
    const { text, samples } = renderPlaintext(families, paths, 1700000000);
    expect(samples).toBe(201);
    const lines = text.split('\n');
    expect(lines[0]).toBe('hp.h.proc0.1000.rss 0 1700000000');
    expect(lines[200]).toBe('hp.h.host.load1 0.25 1700000000');
    expect(lines[201]).toBe('');
  });

  it('statsd: every gauge once, in datagrams no larger than the limit', () => {
    const { datagrams, lines, tooLong } = gaugeDatagrams(families, paths, 512);
    expect(tooLong).toBe(0);
    expect(datagrams.length).toBeGreaterThan(1);
    for (const d of datagrams) expect(Buffer.byteLength(d)).toBeLessThanOrEqual(512);
    const sent = datagrams.flatMap((d) => d.split('\n'));
    expect(sent).toHaveLength(201);
    expect(lines.reduce((a, b) => a + b, 0)).toBe(201);
    expect(sent[0]).toBe('hp.h.proc0.1000.rss:0|g');
    expect(sent[200]).toBe('hp.h.host.load1:0.25|g');
  });

  it('statsd: a negative gauge is set, not added (statsd reads a sign as a change); a line over the limit is counted, not sent', () => {
    const neg = gaugeDatagrams([family('hostpulse_host_load1', 'gauge', [[{}, -2]])], paths, 1432);
    expect(neg.datagrams).toEqual(['hp.h.host.load1:0|g\nhp.h.host.load1:-2|g']);
    const long = gaugeDatagrams(
      [family('hostpulse_group_processes', 'gauge', [[{ group: 'g'.repeat(100) }, 1]])],
      paths,
      64,
    );
    expect(long).toEqual({ datagrams: [], lines: [], tooLong: 1 });
  });
});

describe('--sink and the sink addresses', () => {
  it('takes repeated flags, comma lists and duplicates; defaults to the Pushgateway', () => {
    expect(parseSinkList(undefined)).toEqual(['pushgateway']);
    expect(parseSinkList(['pushgateway', 'graphite,statsd', 'graphite'])).toEqual([
      'pushgateway',
      'graphite',
      'statsd',
    ]);
    expect(() => parseSinkList(['graphite', 'carbon'])).toThrow(UsageError);
  });

  it.each([
    ['graphite.example', { host: 'graphite.example', port: 2003 }],
    ['graphite.example:2013', { host: 'graphite.example', port: 2013 }],
    ['10.0.0.5:2003', { host: '10.0.0.5', port: 2003 }],
    ['[2001:db8::5]:2004', { host: '2001:db8::5', port: 2004 }],
    ['2001:db8::5', { host: '2001:db8::5', port: 2003 }],
  ])('%s', (text, address) => {
    expect(parseAddress('graphite-address', text, 2003)).toEqual(address);
  });

  it.each(['host:0', 'host:70000', 'a b', 'host:port'])('%s is refused, naming the flag', (text) => {
    expect(() => parseAddress('graphite-address', text, 2003)).toThrow(/--graphite-address/);
  });
});
