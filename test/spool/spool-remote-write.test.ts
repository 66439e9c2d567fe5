import * as fs from 'fs';
import * as path from 'path';
import { requireBuiltCli, spawnCli } from '../support/cli';
import { stopAll, waitFor } from '../support/processes';
import { startVictoriaMetrics, type Receiver } from '../support/receivers';
import { makeSpoolDir, moveIntoPlace } from '../support/spool';

/**
 * With --sink remote-write a spool file goes to the receiver as its samples,
 * labelled with the file's job and the agent's instance, at the file's
 * modification time: a real VictoriaMetrics 1.79 stores and answers them.
 */
jest.setTimeout(90000);

let vm: Receiver;
let dir: string;
beforeAll(async () => {
  requireBuiltCli();
  vm = await startVictoriaMetrics();
  dir = makeSpoolDir();
});
afterAll(async () => {
  await stopAll();
  await vm?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a spool file arrives by remote write with its job, this instance and its mtime as the timestamp', async () => {
  const agent = spawnCli([
    'run',
    '--sink',
    'remote-write',
    '--remote-write-url',
    vm.writeUrl,
    '--instance',
    'spool-rw',
    '--interval',
    '500ms',
    '--collectors',
    'host,spool',
    '--spool-dir',
    dir,
  ]);
  const file = path.join(dir, 'etl.run-1.prom');
  moveIntoPlace(
    dir,
    'etl.run-1.prom',
    '# TYPE etl_rows counter\netl_rows{table="a"} 10\netl_rows{table="b"} 20\n# TYPE etl_seconds histogram\netl_seconds_bucket{le="1"} 1\netl_seconds_bucket{le="+Inf"} 2\netl_seconds_sum 3.5\netl_seconds_count 2\n',
  );
  // Two minutes ago, whole seconds: the sample time is the file's, not the delivery's.
  const mtime = Math.floor(Date.now() / 1000) - 120;
  fs.utimesSync(file, mtime, mtime);
  await waitFor('the file delivered and deleted', () => (fs.existsSync(file) ? undefined : true));
  const series = await waitFor('the samples in VictoriaMetrics', async () => {
    const r = await vm.rawSamples('{job="etl",instance="spool-rw"}', '10m');
    return r.length === 6 ? r : undefined;
  });
  const got = series
    .map(
      (s) =>
        `${s.metric.__name__}${s.metric.table ?? ''}${s.metric.le ?? ''} ${s.values.map(([t, v]) => `${v}@${t}`).join(',')}`,
    )
    .sort();
  expect(got).toEqual(
    [
      'etl_rowsa 10',
      'etl_rowsb 20',
      'etl_seconds_bucket1 1',
      'etl_seconds_bucket+Inf 2',
      'etl_seconds_count 2',
      'etl_seconds_sum 3.5',
    ]
      .map((x) => `${x}@${mtime}`)
      .sort(),
  );
  await agent.stop();
});
