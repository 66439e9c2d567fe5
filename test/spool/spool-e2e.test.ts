import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import type { AddressInfo } from 'net';
import { requireBuiltCli, runCli, spawnCli } from '../support/cli';
import { stopAll, waitFor } from '../support/processes';
import { startPushgateway, type RunningServer } from '../support/pushgateway';
import { gatewayJob, makeSpoolDir, moveIntoPlace, pushTimes } from '../support/spool';
import { spawnTracked, type Spawned } from '../support/processes';
import { gatewayMetrics } from '../../bench/harness/pushgateway';

/**
 * The spool with the real agent (`hostpulse run --spool-dir`) and a real
 * Pushgateway: what a batch job's author and an SRE would check.
 */
jest.setTimeout(120000);

let gw: RunningServer;
const dirs: string[] = [];
beforeAll(async () => {
  requireBuiltCli();
  gw = await startPushgateway();
});
afterAll(async () => {
  await stopAll();
  await gw?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function spoolDir(): string {
  const d = makeSpoolDir();
  dirs.push(d);
  return d;
}

function agentArgs(url: string, instance: string, dir: string, more: string[] = []): string[] {
  return [
    'run',
    '--pushgateway-url',
    url,
    '--instance',
    instance,
    '--interval',
    '500ms',
    '--collectors',
    'host,spool',
    '--spool-dir',
    dir,
    ...more,
  ];
}

const GOOD =
  '# HELP backup_bytes Bytes the backup wrote.\n# TYPE backup_bytes gauge\nbackup_bytes{disk="a"} 12\nbackup_bytes{disk="b"} 34\n';
const GOOD_LINES = ['backup_bytes{disk="a"} 12', 'backup_bytes{disk="b"} 34'];

test('a file moved into place (by mv, or renamed by a program right after writing) is delivered under its job and this instance, then deleted', async () => {
  const dir = spoolDir();
  // A settle time the test never reaches: only the rename can make this file complete.
  const agent = spawnCli(agentArgs(gw.url, 'spool-mv', dir, ['--spool-settle', '1h']));
  await waitFor('the agent pushing', async () => ((await pushTimes(gw.url)).has('hostpulse') ? true : undefined));
  moveIntoPlace(dir, 'nightly-backup.prom', GOOD);
  await waitFor('the file deleted', () => (fs.existsSync(path.join(dir, 'nightly-backup.prom')) ? undefined : true));
  expect(await gatewayJob(gw.url, 'nightly-backup')).toEqual(GOOD_LINES);
  const series = (await gatewayMetrics(gw.url)).get('backup_bytes') ?? [];
  expect(series.map((s) => s.labels.instance)).toEqual(['spool-mv', 'spool-mv']);
  expect(agent.stderr()).toContain('spool: delivered nightly-backup.prom as job nightly-backup');
  // A program that renames within the same clock tick as its last write leaves ctime == mtime: inotify saw the rename.
  fs.writeFileSync(path.join(dir, '.report.tmp'), 'report_rows 7\n');
  fs.renameSync(path.join(dir, '.report.tmp'), path.join(dir, 'report.prom'));
  await waitFor('the renamed file deleted', () => (fs.existsSync(path.join(dir, 'report.prom')) ? undefined : true));
  expect(await gatewayJob(gw.url, 'report')).toEqual(['report_rows 7']);
  await agent.stop();
});

test('two files of one job in one look go out oldest first: the gateway keeps the newer result', async () => {
  const dir = spoolDir();
  // Named so that name order and mtime order disagree.
  moveIntoPlace(dir, 'etl.a-newer.prom', 'etl_rows 2\n');
  moveIntoPlace(dir, 'etl.b-older.prom', 'etl_rows 1\n');
  const now = Date.now() / 1000;
  fs.utimesSync(path.join(dir, 'etl.b-older.prom'), now - 120, now - 120);
  fs.utimesSync(path.join(dir, 'etl.a-newer.prom'), now - 60, now - 60);
  const agent = spawnCli(agentArgs(gw.url, 'spool-samejob', dir, ['--spool-settle', '1h']));
  await waitFor('both delivered', () => (fs.readdirSync(dir).some((n) => n.endsWith('.prom')) ? undefined : true));
  expect([...agent.stderr().matchAll(/spool: delivered (\S+) as job etl/g)].map((m) => m[1])).toEqual([
    'etl.b-older.prom',
    'etl.a-newer.prom',
  ]);
  expect(await gatewayJob(gw.url, 'etl')).toEqual(['etl_rows 2']);
  await agent.stop();
});

/** Writes LINES lines of a file over ~10 s, a pause longer than a cycle and shorter than --spool-settle between lines. */
const WRITER_LINES = 8;
const writerScript = (file: string, reopen: boolean): string => `
const fs = require('fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  let fd = fs.openSync(${JSON.stringify(file)}, 'w');
  for (let i = 0; i < ${WRITER_LINES}; i++) {
    fs.writeSync(fd, 'slow_line{n="' + i + '"} ' + i + '\\n');
    if (${reopen}) { fs.closeSync(fd); await sleep(1300); fd = fs.openSync(${JSON.stringify(file)}, 'a'); }
    else await sleep(1300);
  }
  fs.closeSync(fd);
})();`;

describe.each([
  ['keeps the file open (seen in /proc/<pid>/fd)', false],
  ['opens and closes it for every line (only --spool-settle protects it)', true],
])('a slow writer that %s', (_what, reopen) => {
  test('is never delivered half: the gateway only ever holds the complete file', async () => {
    const dir = spoolDir();
    const job = reopen ? 'slow-reopen' : 'slow-open';
    const agent = spawnCli(agentArgs(gw.url, `spool-${job}`, dir, ['--spool-settle', '4s']));
    const file = path.join(dir, `${job}.prom`);
    const writer = spawnTracked(process.execPath, ['-e', writerScript(file, reopen)]);
    const complete = Array.from({ length: WRITER_LINES }, (_, i) => `slow_line{n="${i}"} ${i}`).sort();
    const seen: string[][] = [];
    // Watch the gateway the whole time: whenever the job is there, it must be whole.
    await waitFor(
      'the complete file delivered',
      async () => {
        const held = await gatewayJob(gw.url, job);
        if (held.length > 0) seen.push(held);
        return held.length > 0 && !fs.existsSync(file) ? true : undefined;
      },
      60000,
      100,
    );
    await writer.exited;
    expect(seen.length).toBeGreaterThan(0);
    for (const held of seen) expect(held).toEqual(complete);
    await agent.stop();
  });
});

test('bad files go to failed/ with a readable reason; the good ones beside them are delivered', async () => {
  const dir = spoolDir();
  const bad: Record<string, string> = {
    'broken.prom': 'broken_metric{a="1" 2\n',
    'bad-label.prom': 'ok_metric{bad-label="x"} 1\n',
    'with-job.prom': 'ok_metric{job="other"} 1\n',
    'big.prom': `# a 10 MB file\n${'big_metric{n="x"} 1\n'.repeat((10 * 1024 * 1024) / 19)}`,
    'has space.prom': 'ok_metric 1\n',
  };
  for (const [name, text] of Object.entries(bad)) moveIntoPlace(dir, name, text);
  moveIntoPlace(dir, 'good-one.prom', GOOD);
  moveIntoPlace(dir, 'good-two.prom', 'two_metric 2\n');
  const agent = spawnCli(agentArgs(gw.url, 'spool-bad', dir, ['--spool-max-bytes', '1MB']));
  await waitFor('every file handled', () =>
    fs.readdirSync(dir).filter((n) => n.endsWith('.prom')).length === 0 ? true : undefined,
  );
  expect(await gatewayJob(gw.url, 'good-one')).toEqual(GOOD_LINES);
  expect(await gatewayJob(gw.url, 'good-two')).toEqual(['two_metric 2']);
  const failed = path.join(dir, 'failed');
  const reason = (name: string): string => fs.readFileSync(path.join(failed, `${name}.error`), 'utf8');
  for (const name of Object.keys(bad)) expect(fs.readFileSync(path.join(failed, name), 'utf8')).toBe(bad[name]);
  expect(reason('broken.prom')).toMatch(/^line 1: expected , or } after the value of label "a"/);
  expect(reason('bad-label.prom')).toMatch(/^line 1: invalid label name "bad-label"/);
  expect(reason('with-job.prom')).toMatch(/^line 1: label "job" is set by hostpulse/);
  expect(reason('big.prom')).toMatch(/^\d+ bytes, more than --spool-max-bytes 1000000/);
  expect(reason('has space.prom')).toContain('"has space.prom": a job name');
  // The agent's own push counts them.
  const failures = await waitFor('the failure counters pushed', async () => {
    const s = ((await gatewayMetrics(gw.url)).get('hostpulse_spool_files_failed_total') ?? []).filter(
      (x) => x.labels.instance === 'spool-bad',
    );
    const by = Object.fromEntries(s.map((x) => [x.labels.reason, Number(x.value)]));
    return by.invalid === 3 ? by : undefined;
  });
  expect(failures).toMatchObject({ invalid: 3, too_large: 1, bad_name: 1, rejected: 0 });
  await agent.stop();
});

test('a Pushgateway outage of 30 s: nothing is deleted, then everything goes out oldest first', async () => {
  const own = await startPushgateway();
  const dir = spoolDir();
  const agent = spawnCli(agentArgs(own.url, 'spool-outage', dir, ['--spool-settle', '1h']));
  try {
    await waitFor('the agent pushing', async () => ((await pushTimes(own.url)).has('hostpulse') ? true : undefined));
    await own.proc.stop();
    const names = ['first.prom', 'second.prom', 'third.prom', 'fourth.prom'];
    // Moved in last file first, modification times a minute apart: delivery follows mtime, not names or arrival.
    for (let i = names.length - 1; i >= 0; i--) moveIntoPlace(dir, names[i], `outage_order ${i}\n`);
    names.forEach((name, i) =>
      fs.utimesSync(
        path.join(dir, name),
        new Date(Date.now() - (10 - i) * 60000),
        new Date(Date.now() - (10 - i) * 60000),
      ),
    );
    await waitFor('a failed delivery logged', () =>
      agent.stderr().includes('spool delivery failed') ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 30000));
    // The oldest waits in .inflight/, taken out of the way of a newer file of its name; none is deleted.
    expect(fs.readdirSync(path.join(dir, '.inflight'))).toEqual([names[0]]);
    expect(
      fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.prom'))
        .sort(),
    ).toEqual(names.slice(1).sort());
    const back = await startPushgateway({ port: own.port });
    try {
      await waitFor(
        'every file delivered and deleted',
        () =>
          [...fs.readdirSync(dir), ...fs.readdirSync(path.join(dir, '.inflight'))].some((n) => n.endsWith('.prom'))
            ? undefined
            : true,
        60000,
      );
      const order = [...agent.stderr().matchAll(/spool: delivered (\S+) as job/g)].map((m) => m[1]);
      expect(order).toEqual(names);
      const times = await pushTimes(back.url);
      const jobs = names.map((n) => n.replace('.prom', ''));
      for (let i = 1; i < jobs.length; i++)
        expect(times.get(jobs[i])).toBeGreaterThan(times.get(jobs[i - 1]) ?? Infinity);
      for (const [i, job] of jobs.entries()) expect(await gatewayJob(back.url, job)).toEqual([`outage_order ${i}`]);
    } finally {
      await back.stop();
    }
  } finally {
    await agent.stop();
    await own.stop();
  }
});

test('kill -9 between the push and the delete: after a restart the file is delivered again and deleted', async () => {
  const dir = spoolDir();
  let puts = 0;
  let agent: Spawned | undefined;
  // In front of the real gateway: the first PUT of the job is passed on, and once the gateway took it
  // the agent is SIGKILLed before it hears the answer. Later requests pass through.
  const proxy = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const job = req.url?.includes('/job/killed-job/') === true;
      if (job) puts++;
      const up = http.request(`${gw.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          if (job && puts === 1) {
            agent?.child.kill('SIGKILL');
            res.destroy();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(chunks));
        });
      });
      up.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  try {
    agent = spawnCli(agentArgs(url, 'spool-kill', dir));
    moveIntoPlace(dir, 'killed-job.prom', GOOD);
    const exit = await agent.exited;
    expect(exit.signal).toBe('SIGKILL');
    // The gateway has it, the agent never heard so: the file is still there, in flight.
    expect(await gatewayJob(gw.url, 'killed-job')).toEqual(GOOD_LINES);
    const inflight = path.join(dir, '.inflight', 'killed-job.prom');
    expect(fs.existsSync(inflight)).toBe(true);
    agent = spawnCli(agentArgs(url, 'spool-kill', dir));
    await waitFor('the file delivered again and deleted', () => (fs.existsSync(inflight) ? undefined : true));
    expect(puts).toBe(2);
    expect(await gatewayJob(gw.url, 'killed-job')).toEqual(GOOD_LINES);
    await agent.stop();
  } finally {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  }
});

test('a world-writable spool directory without the sticky bit is refused at start (exit 2)', async () => {
  const dir = spoolDir();
  fs.chmodSync(dir, 0o777);
  const r = await runCli(agentArgs(gw.url, 'spool-perm', dir));
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('is world-writable without the sticky bit');
  fs.chmodSync(dir, 0o1777);
  const sticky = spawnCli(agentArgs(gw.url, 'spool-perm', dir));
  moveIntoPlace(dir, 'sticky-ok.prom', 'sticky_ok 1\n');
  await waitFor('delivered from a sticky directory', () =>
    fs.existsSync(path.join(dir, 'sticky-ok.prom')) ? undefined : true,
  );
  await sticky.stop();
});

test('hostpulse spool check FILE: exit 0 for a good file, 2 with the line and reason for a bad one', async () => {
  const dir = spoolDir();
  const good = path.join(dir, 'backup.run-7.prom');
  fs.writeFileSync(good, GOOD);
  const ok = await runCli(['spool', 'check', good]);
  expect(ok.code).toBe(0);
  expect(ok.stdout).toBe(`${good}: ok, 2 samples, delivered as job backup\n`);
  const bad = path.join(dir, 'bad.prom');
  fs.writeFileSync(bad, 'a_metric 1\na_metric 2\n');
  const r = await runCli(['spool', 'check', bad]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${bad}: line 2: duplicate series a_metric{} (also on line 1)`);
});
