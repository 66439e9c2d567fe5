import { execFile } from 'child_process';
import * as path from 'path';

const DIST = path.join(__dirname, '..', '..', 'dist', 'bench');
const BENCH = 'bench';
const SIM = 'fleet-sim';
const SCRIPTS = { bench: path.join(DIST, 'main.js'), 'fleet-sim': path.join(DIST, 'fleet-sim', 'main.js') };

function run(script: keyof typeof SCRIPTS, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPTS[script], ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/**
 * The benchmark entry points (built by `npm test`) check every flag before they start
 * anything: a bad one exits 2 with its name, and no receiver, filler or host is started
 * (nothing but the message on stderr, nothing on stdout).
 */
describe('bench and fleet-sim flags: one meaning, checked before any work', () => {
  it.each<[keyof typeof SCRIPTS, string[], RegExp]>([
    [BENCH, ['--json', 'out.json'], /Unknown argument: out\.json \(to write the JSON to a file: --json-file PATH\)/],
    [BENCH, ['--json-file'], /Not enough arguments following: json-file/],
    [BENCH, ['--json-file', '/nonexistent-dir/x.json'], /--json-file: cannot write into \/nonexistent-dir/],
    [BENCH, ['--cycles', '0'], /--cycles: expected a whole number >= 1, got 0/],
    [BENCH, ['--processes', 'many'], /--processes: expected a whole number >= 1, got NaN/],
    [BENCH, ['--interval', '100'], /--interval: "100" is not a duration/],
    [BENCH, ['--soak', '--sink', 'remote-write'], /--soak measures the Pushgateway sink only/],
    [BENCH, ['--bogus'], /Unknown argument: bogus/],
    [BENCH, ['--baseline-dir', '.'], /--baseline-dir needs --curve/],
    [BENCH, ['--curve', '--curve-points', '100,many'], /--curve-points: expected process counts separated by commas/],
    [
      BENCH,
      ['--curve', '--baseline-dir', '/nonexistent-dir'],
      /--baseline-dir: \/nonexistent-dir has no dist\/agent\/cli\/main\.js/,
    ],
    [BENCH, ['--curve', '--processes', '100'], /--curve takes --curve-points instead of --processes/],
    [SIM, ['--hosts', '2', '--start-receiver', 'pushgateway', '--json', 'r.json'], /--json-file PATH/],
    [SIM, ['--hosts', '2', '--start-receiver', 'pushgateway', '--json-file'], /Not enough arguments following/],
    [
      SIM,
      ['--hosts', '2', '--start-receiver', 'pushgateway', '--json-file', '/nonexistent-dir/r.json'],
      /cannot write/,
    ],
    [SIM, ['--url', 'http://127.0.0.1:1'], /Missing required argument: hosts/],
    [SIM, ['--hosts', '0', '--url', 'http://127.0.0.1:1'], /--hosts: expected a whole number >= 1, got 0/],
    [SIM, ['--hosts', '2'], /give --url \(and --receiver-pid\) or --start-receiver/],
    [SIM, ['--hosts', '2', '--url', 'ftp://x'], /--url: "ftp:\/\/x" is not an http/],
    [SIM, ['--hosts', '2', '--url', 'http://x', '--duration', '2'], /--duration: "2" is not a duration/],
    [SIM, ['--hosts', '2', '--url', 'http://x', '--oom-per-hour', '-1'], /--oom-per-hour: expected a number >= 0/],
    [SIM, ['--hosts', '2', '--start-receiver', 'victoria-metrics', '--sink', 'pushgateway'], /cannot deliver to/],
    [SIM, ['--hosts', '2', '--url', 'http://x', '--outage-at', '1m'], /--outage-at and --outage-for go together/],
  ])('%s %j exits 2 before starting anything', async (script, args, message) => {
    const r = await run(script, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/started|processes running/);
    expect(r.stdout).toBe('');
  });
});
