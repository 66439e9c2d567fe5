import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnTracked, type Spawned } from './harness/children';
import { countByComm, countProcesses, pidsByCommPrefix } from './proc-stat';

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
  private readonly shells: Spawned[] = [];
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

  /**
   * Starts sleeps until /proc holds at least `target` processes (whatever
   * else comes and goes meanwhile); returns the count reached.
   */
  async growTo(target: number): Promise<number> {
    let now = countProcesses();
    while (now < target) {
      // Each shell is one more process itself; start at least one sleep, or one short would never close.
      const n = Math.max(1, Math.min(BATCH, target - now - 1));
      const script =
        `i=0; while [ $i -lt ${n} ]; do j=$((i % ${NAMES})); [ $j -lt 10 ] && j=0$j; ` +
        `"${this.dir}/${this.prefix}$j" ${SLEEP_SECONDS} & i=$((i+1)); done; wait`;
      this.shells.push(spawnTracked('/bin/sh', ['-c', script], { group: true, stdio: 'ignore' }));
      this.spawned += n;
      const running = await this.waitForFillers();
      if (running < this.spawned) {
        throw new Error(
          `only ${running} of ${this.spawned} filler processes started (a process limit? see ulimit -u and pid_max)`,
        );
      }
      now = countProcesses();
    }
    return now;
  }

  /** Running fillers by name (comm), counted in /proc now. */
  running(): Record<string, number> {
    return countByComm(this.prefix);
  }

  /**
   * Waits until every sleep started so far runs under its filler name, or
   * their number stops growing for 2 s (a fork refused by a process limit);
   * returns how many run.
   */
  private async waitForFillers(): Promise<number> {
    let last = -1;
    let still = 0;
    for (;;) {
      const n = pidsByCommPrefix(this.prefix).length;
      if (n >= this.spawned) return n;
      still = n === last ? still + 1 : 0;
      if (still >= 20) return n;
      last = n;
      await new Promise((r) => setTimeout(r, 100));
    }
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
