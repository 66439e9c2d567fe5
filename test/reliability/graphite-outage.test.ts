import * as fs from 'fs';
import { spawnCli } from '../support/cli';
import { Spawned, waitFor } from '../support/processes';
import { startCarbon, whisperFetch, whisperFile, type Carbon } from '../../bench/harness/carbon';

/*
 * Carbon stopped for 30 s under an agent running at a 1 s interval: the
 * graphite sink buffers the lines (carbon takes timestamps) and writes them
 * once carbon is back, so the whisper file has a value for every second of
 * the outage. Only the host collector runs: a cycle costs about a
 * millisecond, so none is late enough to skip its tick on a loaded machine.
 */
const OUTAGE_MS = 30_000;
const PATH = 'hpoutage.outage-host.host.memory_available';

describe('graphite sink through a 30 s carbon outage', () => {
  let carbon: Carbon;
  let agent: Spawned;

  beforeAll(async () => {
    carbon = await startCarbon({ keep: ['^hpoutage\\.'] });
  });

  afterAll(async () => {
    await agent?.stop();
    await carbon?.remove();
  });

  const valuesSince = async (fromSec: number): Promise<Array<[number, number | null]>> => {
    const file = whisperFile(carbon.whisperDir, PATH);
    return fs.existsSync(file) ? whisperFetch(file, fromSec) : [];
  };

  it('loses no timestamp: every second from before the outage to after it has a value', async () => {
    const from = Math.floor(Date.now() / 1000);
    agent = spawnCli([
      'run',
      '--sink',
      'graphite',
      '--graphite-address',
      `127.0.0.1:${carbon.port}`,
      '--graphite-prefix',
      'hpoutage',
      '--instance',
      'outage-host',
      '--interval',
      '1s',
      '--collectors',
      'host',
      '--log-format',
      'json',
    ]);
    await waitFor(
      '3 points before the outage',
      async () => ((await valuesSince(from)).filter(([, v]) => v !== null).length >= 3 ? true : undefined),
      60000,
      500,
    );

    await carbon.stop();
    const down = Math.floor(Date.now() / 1000);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await carbon.start();
    const up = Math.floor(Date.now() / 1000);

    // Wait until the points of a few seconds after the restart are in (the buffer was written before them),
    // then until carbon has written every point it holds: two reads a second apart agree.
    await waitFor(
      'points after the restart',
      async () => ((await valuesSince(from)).some(([t, v]) => t >= up + 3 && v !== null) ? true : undefined),
      60000,
      500,
    );
    let previous = '';
    const points = await waitFor(
      'carbon to write out its cache',
      async () => {
        const p = (await valuesSince(from)).filter(([t]) => t <= up + 3);
        const now = JSON.stringify(p);
        const same = now === previous;
        previous = now;
        return same ? p : undefined;
      },
      60000,
      1000,
    );
    const stored = points.filter(([, v]) => v !== null).map(([t]) => t);
    const first = stored[0];
    const last = stored[stored.length - 1];
    expect(first).toBeLessThan(down);
    expect(last).toBeGreaterThan(up);
    const missing = points.filter(([t, v]) => t >= first && t <= last && v === null).map(([t]) => t);
    expect(missing).toEqual([]);

    // The outage was noticed: logged once (not once a cycle, nor again for each back-off wait), and the agent kept running.
    const failed = agent
      .stderr()
      .split('\n')
      .filter((l) => l.includes('"message":"push failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('"sink":"graphite"');
    expect(agent.stderr()).toContain('"message":"push recovered"');
    expect(agent.child.exitCode).toBeNull();
  }, 180_000);
});
