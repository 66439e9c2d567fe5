import { spawnSync } from 'child_process';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../agent/loop/heap-growth';

describe('the daemon limits its heap growth', () => {
  it('sets --heap-growing-percent unless node was given its own', () => {
    expect(heapGrowthFlag([])).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag(['--max-semi-space-size=1', '--single-threaded'])).toBe(
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    );
    expect(heapGrowthFlag(['--heap-growing-percent=50'])).toBeUndefined();
    expect(heapGrowthFlag(['--heap_growing_percent=50'])).toBeUndefined();
  });

  it("is a flag this node's V8 knows (an unknown one would be ignored at run time)", () => {
    const flag = heapGrowthFlag([]) as string;
    const ok = spawnSync(process.execPath, [flag, '-e', '0'], { encoding: 'utf8' });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    // The check above is worth something: node refuses a flag V8 does not know.
    const bad = spawnSync(process.execPath, ['--heap-growing-percentage=10', '-e', '0'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
  });
});
