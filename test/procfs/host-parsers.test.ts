import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseCpuStat } from '../../platforms/procfs/cpu-stat';
import { parseLoadavg } from '../../platforms/procfs/loadavg';
import { parseMeminfo } from '../../platforms/procfs/meminfo';
import { parsePressure } from '../../platforms/procfs/pressure';
import { parseOomKills } from '../../platforms/procfs/vmstat';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'proc', name), 'latin1');

describe('host file parsers over a real /proc capture', () => {
  it('meminfo: total, available and swap in bytes', () => {
    const text = fixture('meminfo');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)![1]) * 1024;
    expect(parseMeminfo(text)).toEqual({
      memTotal: kb('MemTotal'),
      memAvailable: kb('MemAvailable'),
      swapTotal: kb('SwapTotal'),
      swapFree: kb('SwapFree'),
    });
  });

  it('meminfo: a missing line stays absent, a malformed one is skipped', () => {
    expect(parseMeminfo('MemTotal:  100 kB\nMemAvailable: lots kB\n')).toEqual({ memTotal: 102400 });
  });

  it('stat: aggregate cpu ticks by mode and boot time', () => {
    const parsed = parseCpuStat(fixture('stat'));
    const cpu = /^cpu\s+(.*)$/m.exec(fixture('stat'))![1].split(/\s+/).map(Number);
    expect(parsed.ticks).toEqual({
      user: cpu[0],
      nice: cpu[1],
      system: cpu[2],
      idle: cpu[3],
      iowait: cpu[4],
      irq: cpu[5],
      softirq: cpu[6],
      steal: cpu[7],
    });
    expect(parsed.bootTime).toBe(Number(/^btime (\d+)/m.exec(fixture('stat'))![1]));
  });

  it('stat: per-cpu lines are not the aggregate', () => {
    expect(parseCpuStat('cpu0 1 2 3 4\nbtime 5\n')).toEqual({ bootTime: 5 });
  });

  it('loadavg', () => {
    expect(parseLoadavg('0.52 1.58 2.59 1/189 12345\n')).toEqual({ load1: 0.52, load5: 1.58, load15: 2.59 });
    expect(parseLoadavg(fixture('loadavg'))).toBeDefined();
    expect(parseLoadavg('garbage')).toBeUndefined();
  });

  it('vmstat: oom_kill, absent on kernels before 4.13', () => {
    expect(parseOomKills(fixture('vmstat'))).toBe(Number(/^oom_kill (\d+)/m.exec(fixture('vmstat'))![1]));
    expect(parseOomKills('nr_free_pages 1\noom_kill 7\n')).toBe(7);
    expect(parseOomKills('nr_free_pages 1\n')).toBeUndefined();
  });

  it('pressure: cumulative stall seconds from microsecond totals', () => {
    expect(
      parsePressure(
        'some avg10=0.00 avg60=0.00 avg300=0.00 total=2500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000\n',
      ),
    ).toEqual({
      someSeconds: 2.5,
      fullSeconds: 0.001,
    });
    expect(parsePressure(fixture('pressure/memory'))).toEqual({ someSeconds: 0, fullSeconds: 0 });
    expect(parsePressure('')).toEqual({});
  });
});

describe('ProcfsHostSampler', () => {
  it('never lets a CPU mode go back (iowait can read lower on Linux)', async () => {
    const { ProcfsHostSampler } = await import('../../platforms/procfs/host-sampler');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-host-'));
    const sampler = new ProcfsHostSampler(root, { clockTicks: 100, pageSize: 4096 }, () => undefined);
    fs.writeFileSync(path.join(root, 'stat'), 'cpu  100 0 50 1000 70 0 0 0 0 0\nbtime 1\n');
    expect((await sampler.sample()).cpuSeconds?.iowait).toBe(0.7);
    fs.writeFileSync(path.join(root, 'stat'), 'cpu  110 0 55 1100 65 0 0 0 0 0\nbtime 1\n');
    const second = (await sampler.sample()).cpuSeconds;
    expect(second?.iowait).toBe(0.7);
    expect(second?.user).toBe(1.1);
  });
});
