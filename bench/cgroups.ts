import * as fs from 'fs';
import * as path from 'path';
import { findMemoryHierarchy, type MemoryHierarchy } from '../platforms/cgroup/reader';

/** Each made cgroup's memory limit: far above what idle sleeps use. */
const LIMIT_BYTES = 1024 * 1024 * 1024;

const NO_CONTROLLER = 'no cgroup memory controller under /sys/fs/cgroup';

/** Why bench cgroups cannot be made here, or undefined when they can. */
export function benchCgroupsUnavailable(): string | undefined {
  if (findMemoryHierarchy() === undefined) return NO_CONTROLLER;
  if (process.getuid?.() !== 0) return 'making memory cgroups needs root';
  return undefined;
}

/**
 * Memory cgroups for the `+cgroups` collector to read, shaped like a host's
 * systemd services: `hostpulse-bench-<pid>.slice/bench-NNN.service`, each with
 * a limit, the filler processes spread over them. Needs root and a memory
 * controller; removed (after the fillers have gone) by `remove`.
 */
export class BenchCgroups {
  readonly slice: string;
  private readonly dirs: string[] = [];

  private readonly hierarchy: MemoryHierarchy;

  constructor() {
    const h = findMemoryHierarchy();
    if (h === undefined) throw new Error(NO_CONTROLLER);
    this.hierarchy = h;
    this.slice = path.join(h.root, `hostpulse-bench-${process.pid}.slice`);
  }

  /** Makes `count` unit cgroups with a limit under the slice. */
  make(count: number): void {
    fs.mkdirSync(this.slice);
    this.dirs.push(this.slice);
    if (this.hierarchy.version === 2) fs.writeFileSync(path.join(this.slice, 'cgroup.subtree_control'), '+memory');
    const limitFile = this.hierarchy.version === 1 ? 'memory.limit_in_bytes' : 'memory.max';
    for (let i = 0; i < count; i++) {
      const dir = path.join(this.slice, `bench-${String(i).padStart(3, '0')}.service`);
      fs.mkdirSync(dir);
      this.dirs.push(dir);
      fs.writeFileSync(path.join(dir, limitFile), String(LIMIT_BYTES));
    }
  }

  /** Moves the processes round-robin into the unit cgroups; a pid gone meanwhile is skipped. */
  spread(pids: readonly number[]): void {
    const units = this.dirs.slice(1);
    if (units.length === 0) return;
    pids.forEach((pid, i) => {
      try {
        fs.writeFileSync(path.join(units[i % units.length], 'cgroup.procs'), String(pid));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    });
  }

  /** Removes the cgroups, deepest first, once their processes have gone (a dying one holds it: EBUSY). */
  async remove(): Promise<void> {
    for (const dir of [...this.dirs].reverse()) {
      for (let attempt = 0; ; attempt++) {
        try {
          fs.rmdirSync(dir);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || attempt >= 100) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    this.dirs.length = 0;
  }
}
