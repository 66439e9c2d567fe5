import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startChild, type Child } from './children';
import { countProcesses } from './proc-stat';

/** Distinct names, so the processes fall into several groups as on a real host. */
const NAMES = 16;
/** Sleeps per shell: one spawn of ours starts this many processes. */
const BATCH = 500;
/** Fillers outlive a killed benchmark by at most this long. */
const SLEEP_SECONDS = 1800;

/**
 * Idle `sleep` processes that bring the host up to a process count. Each is
 * started through a symlink named `<prefix>NN`, so its comm tells it apart
 * (and groups it), and every batch runs under one shell in its own process
 * group, so one kill ends a batch.
 */
export class Filler {
  readonly prefix: string;
  private readonly dir: string;
  private readonly shells: Child[] = [];
  spawned = 0;

  constructor() {
    // comm keeps 15 bytes: "hpb" + up to 7 digits + "f" + 2 digits fits.
    this.prefix = `hpb${process.pid % 10_000_000}f`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostpulse-bench-'));
    const sleep = findSleep();
    for (let i = 0; i < NAMES; i++) fs.symlinkSync(sleep, path.join(this.dir, this.name(i)));
  }

  name(i: number): string {
    return this.prefix + String(i).padStart(2, '0');
  }

  /** Starts sleeps until /proc holds at least `target` processes; returns the count reached. */
  async growTo(target: number): Promise<number> {
    let now = countProcesses();
    while (now < target) {
      // Each shell is one more process itself.
      const n = Math.min(BATCH, target - now - 1);
      if (n <= 0) break;
      const script =
        `i=0; while [ $i -lt ${n} ]; do j=$((i % ${NAMES})); [ $j -lt 10 ] && j=0$j; ` +
        `"${this.dir}/${this.prefix}$j" ${SLEEP_SECONDS} & i=$((i+1)); done; wait`;
      this.shells.push(startChild('/bin/sh', ['-c', script]));
      this.spawned += n;
      const want = now + n + 1;
      now = await waitForCount(want);
    }
    return now;
  }

  async stop(): Promise<void> {
    await Promise.all(this.shells.map((s) => s.stop(0)));
    this.shells.length = 0;
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function findSleep(): string {
  for (const p of ['/usr/bin/sleep', '/bin/sleep']) if (fs.existsSync(p)) return fs.realpathSync(p);
  throw new Error('no sleep binary in /usr/bin or /bin');
}

/** Waits until the count reaches `want` or stops growing (other processes come and go). */
async function waitForCount(want: number): Promise<number> {
  let last = -1;
  let still = 0;
  for (;;) {
    const n = countProcesses();
    if (n >= want) return n;
    still = n === last ? still + 1 : 0;
    if (still >= 20) return n;
    last = n;
    await new Promise((r) => setTimeout(r, 100));
  }
}
