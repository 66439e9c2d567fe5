import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../support/cli';

const ROOT = path.join(__dirname, '..', '..');
const GOLDEN = path.join(ROOT, 'test', 'fixtures', 'golden', 'once-fixture-proc.prom');
// No kernel log at that path: the oom collector is unavailable on every machine, so the output does not depend on root or CAP_SYSLOG.
const ARGS = ['once', '--stdout', '--procfs-root', path.join(ROOT, 'test', 'fixtures', 'proc'), '--kmsg-path', path.join(ROOT, 'test', 'fixtures', 'kmsg', 'absent'), '--log-level', 'error'];

/**
 * The values that differ between runs are how long sampling and each collector took. Series
 * order within a family follows readdir order of the fixture tree, which
 * differs between filesystems and carries no meaning: sort within families.
 */
function normalise(text: string): string {
  return text
    .trimEnd()
    .replace(/^(hostpulse_agent_(?:sample|collector)_duration_seconds\{[^}]*\}) .*$/gm, '$1 <duration>')
    .split('\n\n')
    .map((family) => {
      const lines = family.split('\n');
      const head = lines.filter((l) => l.startsWith('#'));
      const samples = lines.filter((l) => !l.startsWith('#')).sort();
      return [...head, ...samples].join('\n');
    })
    .join('\n\n') + '\n';
}

describe('golden output: once --stdout over the procfs fixture tree', () => {
  let output: string;

  beforeAll(async () => {
    const res = await runCli(ARGS);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    output = res.stdout;
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(GOLDEN, normalise(output));
  });

  it('equals the checked-in exposition (regenerate: npm run golden:update)', () => {
    expect(normalise(output)).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('is accepted by promtool check metrics', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'golden-')), 'out.prom');
    fs.writeFileSync(file, output);
    // promtool reads the exposition on stdin and prints lint problems; it exits non-zero on any.
    const lint = execFileSync('promtool', ['check', 'metrics'], { input: output, encoding: 'utf8' });
    expect(lint).toBe('');
  });

  it('has the processes a user would look for, and skips the truncated stat line', () => {
    expect(output).toContain('hostpulse_process_resident_memory_bytes{pid="9498",comm="x) (y z"} 1581056');
    expect(output).toContain('hostpulse_process_resident_memory_bytes{pid="9183",comm="tmux: server"}');
    expect(output).not.toContain('pid="99999"');
    expect(output).toContain('hostpulse_agent_sample_errors_total{reason="malformed_stat"} 1');
    expect(output).toContain('hostpulse_group_processes{group="kworker"} 1');
    expect(output).toMatch(/^hostpulse_host_info\{os="linux",kernel="[^"]+",sampler="procfs",version="[^"]+",oom_events="unavailable"\} 1$/m);
  });
});
