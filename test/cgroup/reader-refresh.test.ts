import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CgroupReader, findMemoryHierarchy, REFRESH_EVERY, type CgroupSample } from '../../platforms/cgroup/reader';

/**
 * What the reader caches between passes (the tree, limits, memory.stat, v1
 * memory.oom_control) and how soon a change reaches a pass: usage and events
 * at once, a limit or a new cgroup within REFRESH_EVERY passes, a kill at
 * once. On copies of the v2 fixture tree and a v1 tree written here.
 */
const V2 = path.join(__dirname, '..', 'fixtures', 'cgroup-v2');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-cgroup-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A reader over `root` whose host kill count is the file `vmstat` of the temp dir. */
function open(root: string): { reader: CgroupReader; pass: () => Map<string, CgroupSample>; errors: string[] } {
  const h = findMemoryHierarchy(root);
  if (h === undefined) throw new Error(`no memory hierarchy at ${root}`);
  const errors: string[] = [];
  const reader = new CgroupReader(h, (r, d) => errors.push(`${r} ${d}`), { vmstatPath: path.join(dir, 'vmstat') });
  const pass = (): Map<string, CgroupSample> => {
    const samples = reader.read();
    for (const s of samples) reader.details(s);
    reader.endPass();
    return new Map(samples.map((s) => [s.path, s]));
  };
  return { reader, pass, errors };
}

const hostKills = (n: number): void => fs.writeFileSync(path.join(dir, 'vmstat'), `pgfault 5\noom_kill ${n}\n`);

/** Passes until `done` holds, at most `max`; how many it took (Infinity when it never did). */
function passesUntil(
  pass: () => Map<string, CgroupSample>,
  done: (m: Map<string, CgroupSample>) => boolean,
  max: number,
) {
  for (let n = 1; n <= max; n++) if (done(pass())) return n;
  return Infinity;
}

describe('CgroupReader caching (v2 tree)', () => {
  let root: string;
  beforeEach(() => {
    root = path.join(dir, 'v2');
    fs.cpSync(V2, root, { recursive: true });
    hostKills(0);
  });

  it('usage and events are fresh every pass; a changed limit shows within REFRESH_EVERY passes', () => {
    const { reader, pass, errors } = open(root);
    const unit = path.join(root, 'system.slice', 'app.service');
    pass();
    pass(); // a pass that walked nothing and read no limit
    fs.writeFileSync(path.join(unit, 'memory.current'), '123456\n');
    fs.writeFileSync(path.join(unit, 'memory.events'), 'low 0\nhigh 41\nmax 8\noom 0\noom_kill 0\n');
    fs.writeFileSync(path.join(unit, 'memory.max'), '268435456\n');
    const next = pass().get('/system.slice/app.service');
    expect(next?.usageBytes).toBe(123456);
    expect(next?.events.max).toBe(8);
    const took = passesUntil(
      pass,
      (m) => m.get('/system.slice/app.service')?.limitBytes === 268435456,
      2 * REFRESH_EVERY,
    );
    // The third pass above was the first after the change.
    expect(took + 1).toBeLessThanOrEqual(REFRESH_EVERY);
    reader.close();
    expect(errors).toEqual([]);
  });

  it('a new cgroup shows within REFRESH_EVERY passes, at once when the host counted an OOM kill', () => {
    const { reader, pass } = open(root);
    pass();
    pass();
    const make = (name: string): void => {
      const d = path.join(root, 'system.slice', name);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'memory.current'), '4096\n');
      fs.writeFileSync(path.join(d, 'memory.events'), 'low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\n');
    };
    make('late.service');
    const took = passesUntil(pass, (m) => m.has('/system.slice/late.service'), 2 * REFRESH_EVERY);
    expect(took).toBeLessThanOrEqual(REFRESH_EVERY);
    pass();
    make('killed.service');
    hostKills(1);
    expect(pass().get('/system.slice/killed.service')?.events.oom_kill).toBe(1);
    reader.close();
  });
});

describe('CgroupReader caching (v1 tree): memory.oom_control', () => {
  let unit: string;
  let root: string;
  const write = (file: string, text: string): void => fs.writeFileSync(path.join(unit, file), text);
  const oomControl = (kills: number, underOom: number): void =>
    write('memory.oom_control', `oom_kill_disable 0\nunder_oom ${underOom}\noom_kill ${kills}\n`);

  beforeEach(() => {
    root = path.join(dir, 'v1');
    unit = path.join(root, 'memory', 'app.service');
    fs.mkdirSync(unit, { recursive: true });
    fs.writeFileSync(path.join(root, 'memory', 'memory.usage_in_bytes'), '1000\n');
    write('memory.usage_in_bytes', '500\n');
    write('memory.failcnt', '0\n');
    write('memory.limit_in_bytes', '1048576\n');
    write('memory.stat', 'cache 1\nrss 2\ntotal_cache 10\ntotal_rss 20\n');
    oomControl(0, 0);
    hostKills(0);
  });

  const kills = (m: Map<string, CgroupSample>): number | undefined => m.get('/app.service')?.events.oom_kill;

  it('a kill counts in the pass that sees the host count change', () => {
    const { reader, pass } = open(root);
    expect(kills(pass())).toBe(0);
    pass();
    oomControl(1, 0);
    hostKills(1);
    expect(kills(pass())).toBe(1);
    reader.close();
  });

  it('under_oom shows in the pass that sees failcnt change, and stays read while set', () => {
    const { reader, pass } = open(root);
    pass();
    pass();
    // At its limit, as a cgroup is whose charges fail.
    write('memory.usage_in_bytes', '1048576\n');
    oomControl(0, 1);
    write('memory.failcnt', '3\n');
    expect(pass().get('/app.service')?.underOom).toBe(1);
    oomControl(0, 0);
    expect(pass().get('/app.service')?.underOom).toBe(0);
    reader.close();
  });

  const failed = (m: Map<string, CgroupSample>): number | undefined => m.get('/app.service')?.events.max;

  it('failcnt is fresh every pass at half the limit or above, and within REFRESH_EVERY passes below it', () => {
    const { reader, pass } = open(root);
    expect(failed(pass())).toBe(0);
    // 500 bytes of a 1 MiB limit: a failed charge is counted by the next refresh, not lost.
    write('memory.failcnt', '2\n');
    expect(passesUntil(pass, (m) => failed(m) === 2, REFRESH_EVERY + 1)).toBeLessThanOrEqual(REFRESH_EVERY);
    write('memory.usage_in_bytes', String(1048576 / 2) + '\n');
    pass();
    write('memory.failcnt', '5\n');
    expect(failed(pass())).toBe(5);
    reader.close();
  });

  it('an unlimited cgroup (its failcnt cannot move) reads failcnt with its limit, every REFRESH_EVERY passes', () => {
    write('memory.limit_in_bytes', '9223372036854771712\n');
    const { reader, pass } = open(root);
    pass();
    write('memory.failcnt', '1\n');
    expect(passesUntil(pass, (m) => failed(m) === 1, REFRESH_EVERY + 1)).toBeLessThanOrEqual(REFRESH_EVERY);
    reader.close();
  });

  it('without oom_kill in /proc/vmstat (before 4.13) every pass reads memory.oom_control', () => {
    fs.writeFileSync(path.join(dir, 'vmstat'), 'pgfault 5\n');
    const { reader, pass } = open(root);
    pass();
    pass();
    oomControl(2, 0);
    expect(kills(pass())).toBe(2);
    reader.close();
  });
});
