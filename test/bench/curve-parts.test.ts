import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { floorBuildCommand, floorCost, FLOOR_SOURCE, findCompiler, parseFloorLine } from '../../bench/curve/floor';
import { curveBlock, CURVE_BEGIN, CURVE_END, pageBlocks, spliceCurve } from '../../bench/curve/files';
import { parseExporterVersion } from '../../bench/process-exporter';
import type { CurveRecord } from '../../bench/curve/record';
import { parsePoints } from '../../bench/curve/run';
import { curveRows, floorRatio, renderMarkdown, renderSummary } from '../../bench/curve/table';
import { chartSpec } from '../../bench/curve/chart';

const MACHINE = {
  nproc: 2,
  cpuModel: 'AMD EPYC',
  memTotalGiB: 23.5,
  kernel: 'Linux 6.1',
  node: 'v20.20.2',
  pushgateway: '1.5.1',
  ulimitProcesses: 'unlimited',
  pidMax: 4194304,
};

function record(withBaseline: boolean): CurveRecord {
  return {
    tool: 'hostpulse-bench-curve',
    date: '2026-12-03T12:00:00.000Z',
    machine: MACHINE,
    settings: {
      interval: '100ms',
      top: 20,
      warmup: 5,
      cycles: 50,
      scrapes: 10,
      nodeOptions: '--max-semi-space-size=1',
    },
    tools: {
      agent: { commit: 'aaaaaaa' },
      baseline: withBaseline ? { commit: 'bbbbbbb' } : null,
      floor: { version: 'cc (Debian 12.2.0-14) 12.2.0' },
      processExporter: { version: '0.7.10-3+b5' },
      nodeExporter: { missing: 'prometheus-node-exporter not found' },
    },
    points: [
      {
        processes: { requested: 100, measured: 288 },
        agent: { cpuMs: 12.4, rssMb: 61.2 },
        baseline: withBaseline ? { cpuMs: 20, rssMb: 66.1 } : null,
        floor: { cpuMs: 4, rssMb: 1.4 },
        processExporter: { cpuMs: 110, rssMb: 19 },
        nodeExporter: null,
      },
      {
        processes: { requested: 1000, measured: 1001 },
        agent: { cpuMs: 21.5, rssMb: 63 },
        baseline: withBaseline ? { cpuMs: 25, rssMb: 68 } : null,
        floor: { cpuMs: 0, rssMb: 1.4 },
        processExporter: null,
        nodeExporter: null,
      },
    ],
  };
}

describe('the C floor', () => {
  it('is built optimised, warnings on, from the C file in the repository', () => {
    expect(floorBuildCommand('cc', '/src/proc-floor.c', '/tmp/x/proc-floor')).toEqual({
      cmd: 'cc',
      args: ['-O2', '-Wall', '-Wextra', '-o', '/tmp/x/proc-floor', '/src/proc-floor.c'],
    });
    expect(fs.existsSync(FLOOR_SOURCE)).toBe(true);
  });

  it('reads its one result line into CPU per cycle and RSS', () => {
    const line = parseFloorLine('cycles=50 cpu_us=612345 rss_kb=1432 pids=1001\n');
    expect(line).toEqual({ cycles: 50, cpuUs: 612345, rssKb: 1432, pids: 1001 });
    expect(floorCost(line)).toEqual({ cpuMs: 12.25, rssMb: 1.4 });
  });

  it('says what it got when the line is missing', () => {
    expect(() => parseFloorLine('Segmentation fault\n')).toThrow(
      /the C floor printed no result line: "Segmentation fault/,
    );
    expect(() => parseFloorLine('cycles=0 cpu_us=0 rss_kb=1 pids=1')).toThrow(/0 cycles/);
  });

  it('built with the machine compiler, reads every process of the real /proc', () => {
    const cc = findCompiler();
    if (!cc) {
      console.log('skipped: no C compiler (cc) on PATH');
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curve-floor-test-'));
    try {
      const bin = path.join(dir, 'proc-floor');
      const { cmd, args } = floorBuildCommand(cc.cc, FLOOR_SOURCE, bin);
      // The build must be clean: a warning here is a bug in the floor.
      expect(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
      const line = parseFloorLine(execFileSync(bin, ['1', '2', '0'], { encoding: 'utf8' }));
      expect(line.cycles).toBe(2);
      // This test's own process is one of them; how many others run is not this test's business.
      expect(line.pids).toBeGreaterThan(1);
      expect(line.rssKb).toBeGreaterThan(0);
      const usage = (() => {
        try {
          execFileSync(bin, ['1'], { stdio: 'pipe' });
          return '';
        } catch (err) {
          return String((err as { stderr: Buffer }).stderr) + ` exit ${(err as { status: number }).status}`;
        }
      })();
      expect(usage).toMatch(/usage: .*proc-floor WARMUP CYCLES INTERVAL_MS\n exit 2/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the curve table', () => {
  it('--curve-points: sorted, deduplicated whole numbers, or a usage error naming the flag', () => {
    expect(parsePoints('10000, 100,1000,100')).toEqual([100, 1000, 10000]);
    for (const bad of ['', '100,', '1e3', '0', '-5', 'many'])
      expect(() => parsePoints(bad)).toThrow(/--curve-points: expected process counts/);
  });

  it('reads the Debian revision from an exporter version banner', () => {
    expect(parseExporterVersion('node_exporter, version 1.5.0 (branch: debian/sid, revision: 1.5.0-1+b6)\n')).toBe(
      '1.5.0-1+b6',
    );
    expect(parseExporterVersion('node_exporter 1.8.2\nmore')).toBe('node_exporter 1.8.2');
  });

  it('ratios to the C floor: per point, none without a floor or with a floor of 0 ms', () => {
    const r = record(true);
    expect(floorRatio(r.points[0], 'agent')).toBe(3.1);
    expect(floorRatio(r.points[0], 'baseline')).toBe(5);
    expect(floorRatio(r.points[1], 'agent')).toBeNull();
    expect(floorRatio({ ...r.points[0], floor: null }, 'agent')).toBeNull();
    expect(floorRatio({ ...r.points[0], baseline: null }, 'baseline')).toBeNull();
  });

  it("the chart's data are the record's numbers, one row per measured program and point, nothing else", () => {
    const r = record(true);
    const rows = curveRows(r);
    expect(rows).toEqual([
      { processes: 288, program: 'hostpulse aaaaaaa', cpuMs: 12.4, rssMb: 61.2 },
      { processes: 288, program: 'hostpulse baseline bbbbbbb', cpuMs: 20, rssMb: 66.1 },
      { processes: 288, program: 'C floor (/proc/*/stat)', cpuMs: 4, rssMb: 1.4 },
      { processes: 288, program: 'process-exporter, per scrape', cpuMs: 110, rssMb: 19 },
      { processes: 1001, program: 'hostpulse aaaaaaa', cpuMs: 21.5, rssMb: 63 },
      { processes: 1001, program: 'hostpulse baseline bbbbbbb', cpuMs: 25, rssMb: 68 },
      { processes: 1001, program: 'C floor (/proc/*/stat)', cpuMs: 0, rssMb: 1.4 },
    ]);
    const spec = chartSpec(r) as unknown as { data: { values: unknown } };
    expect(spec.data.values).toEqual(rows);
  });

  it('the markdown table: a column per measured program, the ratios, and why a program is missing', () => {
    const md = renderMarkdown(record(true));
    expect(md).toContain('hostpulse: aaaaaaa; baseline: bbbbbbb.');
    expect(md).toContain('not measured: prometheus-node-exporter not found.');
    const table = md.split('\n').filter((l) => l.startsWith('|'));
    expect(table).toEqual([
      '| processes | hostpulse CPU ms | baseline CPU ms | C floor CPU ms | process-exporter CPU ms | hostpulse / C floor | baseline / C floor | hostpulse RSS MB | baseline RSS MB | C floor RSS MB | process-exporter RSS MB |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      '| 288 | 12.40 | 20.00 | 4.00 | 110.00 | 3.10 | 5.00 | 61.2 | 66.1 | 1.4 | 19.0 |',
      '| 1001 | 21.50 | 25.00 | 0.00 | - | - | - | 63.0 | 68.0 | 1.4 | - |',
    ]);
    expect(renderMarkdown(record(false))).not.toContain('baseline');
  });

  it('the summary prints the ratios to the C floor', () => {
    expect(renderSummary(record(true))).toContain(
      '  hostpulse aaaaaaa = 3.10x the floor; hostpulse baseline bbbbbbb = 5.00x the floor',
    );
  });

  it('the pages: only the text between the markers is replaced, the docs page gets the chart and the table', () => {
    const page = `# T\n\nbefore\n${CURVE_BEGIN}\nold table\n${CURVE_END}\nafter\n`;
    expect(spliceCurve(page, 'new\n')).toBe(`# T\n\nbefore\n${CURVE_BEGIN}\nnew\n${CURVE_END}\nafter\n`);
    expect(curveBlock(spliceCurve(page, 'new\n'))).toBe('new\n');
    expect(() => spliceCurve('# no markers\n', 'x')).toThrow(/has no/);
    const blocks = pageBlocks('| table |\n');
    expect(blocks.readme).toMatch(/^!\[[^\]]+\]\(docs\/bench\/cost-curve\.svg\)\n$/);
    expect(blocks.page).toMatch(/^!\[[^\]]+\]\(bench\/cost-curve\.svg\)\n\n\| table \|\n$/);
  });
});
