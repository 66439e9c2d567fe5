import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCli } from '../support/cli';

const ROOT = path.join(__dirname, '..', '..');
// No kernel log at that path: the oom collector is unavailable on every machine, so the output does not depend on root or CAP_SYSLOG.
const ARGS = [
  'once',
  '--stdout',
  '--procfs-root',
  path.join(ROOT, 'test', 'fixtures', 'proc'),
  '--kmsg-path',
  path.join(ROOT, 'test', 'fixtures', 'kmsg', 'absent'),
  '--log-level',
  'error',
];

/**
 * The values that differ between runs are how long sampling and each collector took. Series
 * order within a family follows readdir order of the fixture tree, which
 * differs between filesystems and carries no meaning: sort within families.
 */
function normalise(text: string): string {
  return (
    text
      .trimEnd()
      .replace(/^(hostpulse_agent_(?:sample|collector)_duration_seconds\{[^}]*\}) .*$/gm, '$1 <duration>')
      .split('\n\n')
      .map((family) => {
        const lines = family.split('\n');
        const head = lines.filter((l) => l.startsWith('#'));
        const samples = lines.filter((l) => !l.startsWith('#')).sort();
        return [...head, ...samples].join('\n');
      })
      .join('\n\n') + '\n'
  );
}

const RULES = path.join(ROOT, 'test', 'fixtures', 'group-rules', 'fixture-tree.yml');
/** One golden file per grouping (and one with a group budget); the comm case keeps its original file name. */
const CASES: Array<{ name: string; args: string[]; file: string }> = [
  { name: 'comm (default)', args: [], file: 'once-fixture-proc.prom' },
  { name: 'cgroup', args: ['--group-by', 'cgroup'], file: 'once-fixture-proc-group-by-cgroup.prom' },
  { name: 'user', args: ['--group-by', 'user'], file: 'once-fixture-proc-group-by-user.prom' },
  {
    name: 'rules',
    args: ['--group-by', 'rules', '--group-rules', RULES],
    file: 'once-fixture-proc-group-by-rules.prom',
  },
  { name: 'comm with --max-groups 3', args: ['--max-groups', '3'], file: 'once-fixture-proc-max-groups-3.prom' },
  {
    name: 'comm with --process-detail pss,io,fds',
    args: ['--process-detail', 'pss,io,fds', '--process-detail-pss-per-cycle', '10'],
    file: 'once-fixture-proc-process-detail.prom',
  },
];

const groupSums = (text: string) => {
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`))
      .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
  return { rss: sum('hostpulse_group_resident_memory_bytes'), processes: sum('hostpulse_group_processes') };
};

describe.each(CASES)(
  'golden output: once --stdout over the procfs fixture tree, group by $name',
  ({ name, args, file }) => {
    let output: string;
    const golden = path.join(ROOT, 'test', 'fixtures', 'golden', file);

    beforeAll(async () => {
      const res = await runCli([...ARGS, ...args]);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      output = res.stdout;
      if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(golden, normalise(output));
    });

    it('equals the checked-in exposition (regenerate: npm run golden:update)', () => {
      expect(normalise(output)).toBe(fs.readFileSync(golden, 'utf8'));
    });

    it('is accepted by promtool check metrics', () => {
      // promtool reads the exposition on stdin and prints lint problems; it exits non-zero on any.
      const lint = execFileSync('promtool', ['check', 'metrics'], { input: output, encoding: 'utf8' });
      expect(lint).toBe('');
    });

    it('says which grouping ran, and its groups hold every process and all the memory', async () => {
      const by = args.includes('--group-by') ? args[args.indexOf('--group-by') + 1] : 'comm';
      expect(output).toMatch(new RegExp(`^hostpulse_host_info\\{[^}]*group_by="${by}"\\} 1$`, 'm'));
      // 7 readable processes (99999 is truncated); the comm grouping's sums are the reference.
      const reference = name === CASES[0].name ? undefined : groupSums((await runCli(ARGS)).stdout);
      expect(groupSums(output).processes).toBe(7);
      if (reference) expect(groupSums(output)).toEqual(reference);
    });
  },
);

describe('golden output: the processes a user would look for', () => {
  let output: string;
  beforeAll(async () => {
    output = (await runCli(ARGS)).stdout;
  });

  it('has the processes a user would look for, and skips the truncated stat line', () => {
    expect(output).toContain('hostpulse_process_resident_memory_bytes{pid="9498",comm="x) (y z"} 1581056');
    expect(output).toContain('hostpulse_process_resident_memory_bytes{pid="9183",comm="tmux: server"}');
    expect(output).not.toContain('pid="99999"');
    expect(output).toContain('hostpulse_agent_sample_errors_total{reason="malformed_stat"} 1');
    expect(output).toContain('hostpulse_group_processes{group="kworker"} 1');
    expect(output).toMatch(
      /^hostpulse_host_info\{os="linux",kernel="[^"]+",sampler="procfs",version="[^"]+",oom_events="unavailable",group_by="comm"\} 1$/m,
    );
  });

  it('--process-detail reads the captured detail files of the exported pids: absent where the tree has none', async () => {
    const detail = (await runCli([...ARGS, '--process-detail', 'pss,io,fds', '--process-detail-pss-per-cycle', '10']))
      .stdout;
    // The captured bash: Pss 249 kB, Private_Clean 0 + Private_Dirty 108 kB; 7 entries in fd/. pid 1 has soft limit 32768.
    expect(detail).toContain('hostpulse_process_proportional_memory_bytes{pid="1062",comm="bash"} 254976');
    expect(detail).toMatch(/^hostpulse_process_open_fds\{pid="1062",comm="bash"\} 7$/m);
    expect(detail).toMatch(/^hostpulse_process_max_fds\{pid="1",comm="process_api"\} 32768$/m);
    // Kernel threads and the zombie have io but no memory map; pid 1 has no smaps_rollup or io in the tree.
    expect(detail).toMatch(/^hostpulse_process_io_write_bytes_total\{pid="2",comm="kthreadd"\} \d+$/m);
    expect(detail).not.toMatch(/^hostpulse_process_proportional_memory_bytes\{pid="(1|2|4|9233)",/m);
    expect(detail).not.toMatch(/^hostpulse_process_io_read_bytes_total\{pid="1",/m);
    // Only the exported pids are read: --top 1 --top-cpu 0 gives one pid detail series.
    const one = (await runCli([...ARGS, '--process-detail', 'fds', '--top', '1', '--top-cpu', '0'])).stdout;
    expect(one.split('\n').filter((l) => l.startsWith('hostpulse_process_max_fds{'))).toHaveLength(1);
    expect(one).not.toContain('hostpulse_process_proportional_memory_bytes');
    // A once is one cycle: at most --process-detail-pss-per-cycle smaps_rollup reads, largest first: pid 1 (none in the tree) and 1062, not 9183.
    const budget = (
      await runCli([
        ...ARGS,
        '--process-detail',
        'pss',
        '--process-detail-pss-per-cycle',
        '2',
        '--top',
        '3',
        '--top-cpu',
        '0',
      ])
    ).stdout;
    expect(budget.split('\n').filter((l) => l.startsWith('hostpulse_process_proportional_memory_bytes{'))).toHaveLength(
      1,
    );
  });

  it('--max-groups 3 folds the smaller groups into other and counts them', async () => {
    const folded = (await runCli([...ARGS, '--max-groups', '3'])).stdout;
    expect(folded.split('\n').filter((l) => l.startsWith('hostpulse_group_processes{'))).toHaveLength(3);
    expect(folded).toMatch(/^hostpulse_agent_groups_folded \d+$/m);
    expect(folded).not.toMatch(/^hostpulse_agent_groups_folded 0$/m);
  });
});
