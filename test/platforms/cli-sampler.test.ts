import { spawnCli } from '../support/cli';

/** The built CLI, as a user runs it: `hostpulse once --stdout --sampler ps|top`. */
async function once(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnCli(['once', '--stdout', ...args]);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

describe.each(['ps', 'top'])('hostpulse once --stdout --sampler %s', (sampler) => {
  test('exports this test process and says which sampler measured it', async () => {
    // --top high enough that this jest worker is among the per-pid series.
    const r = await once(['--sampler', sampler, '--top', '100000']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^hostpulse_process_resident_memory_bytes\\{pid="${process.pid}",comm="[^"]+"\\} [1-9]`, 'm'),
    );
    expect(r.stdout).toMatch(new RegExp(`^hostpulse_host_info\\{[^}]*sampler="${sampler}"`, 'm'));
    expect(r.stdout).toMatch(/^hostpulse_host_memory_total_bytes [1-9]/m);
  });
});

test('--sampler bogus exits 2 naming it', async () => {
  const r = await once(['--sampler', 'bogus']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/bogus/);
});
