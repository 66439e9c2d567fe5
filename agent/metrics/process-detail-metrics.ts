import type { DetailKind, ProcessDetail, ProcessSample } from '../../platforms/types';
import type { Family } from './families';
import { FamilySet } from './families';

/**
 * The --process-detail families, for the exported pids only. A family set of
 * its own: without the flag the collector leaves it out, so the exposition
 * holds no empty family for it.
 */
export class ProcessDetailMetrics extends FamilySet {
  readonly pss = this.gauge(
    'hostpulse_process_proportional_memory_bytes',
    'Proportional set size (PSS) of a top process: its private memory plus its share of shared pages.',
    ['pid', 'comm'],
  );
  readonly uss = this.gauge(
    'hostpulse_process_unique_memory_bytes',
    'Unique set size (USS) of a top process: memory no other process maps, freed if it exits.',
    ['pid', 'comm'],
  );
  readonly ioRead = this.counter(
    'hostpulse_process_io_read_bytes_total',
    'Bytes a top process caused to be read from storage (/proc/<pid>/io read_bytes).',
    ['pid', 'comm'],
  );
  readonly ioWrite = this.counter(
    'hostpulse_process_io_write_bytes_total',
    'Bytes a top process caused to be written to storage (/proc/<pid>/io write_bytes).',
    ['pid', 'comm'],
  );
  readonly openFds = this.gauge('hostpulse_process_open_fds', 'Open file descriptors of a top process.', [
    'pid',
    'comm',
  ]);
  readonly maxFds = this.gauge('hostpulse_process_max_fds', 'Soft limit of open file descriptors of a top process.', [
    'pid',
    'comm',
  ]);

  /** The families of the kinds asked for, in exposition order: no empty family for a kind not read. */
  familiesFor(kinds: ReadonlySet<DetailKind>): Family[] {
    const of: Record<DetailKind, Family[]> = {
      pss: [this.pss, this.uss],
      io: [this.ioRead, this.ioWrite],
      fds: [this.openFds, this.maxFds],
    };
    return this.families.filter((f) => [...kinds].some((k) => of[k].includes(f)));
  }

  /** `details[i]` belongs to `top[i]`. No I/O; replaces last cycle's label sets; an absent field gets no series. */
  write(top: readonly ProcessSample[], details: readonly ProcessDetail[]): void {
    for (const f of this.families) f.reset();
    for (let i = 0; i < top.length; i++) {
      const p = top[i];
      const d = details[i];
      if (d === undefined) continue;
      const labels = { pid: String(p.pid), comm: p.comm };
      if (d.pssBytes !== undefined) this.pss.set(labels, d.pssBytes);
      if (d.ussBytes !== undefined) this.uss.set(labels, d.ussBytes);
      if (d.ioReadBytes !== undefined) this.ioRead.inc(labels, d.ioReadBytes);
      if (d.ioWriteBytes !== undefined) this.ioWrite.inc(labels, d.ioWriteBytes);
      if (d.openFds !== undefined) this.openFds.set(labels, d.openFds);
      if (d.maxFds !== undefined) this.maxFds.set(labels, d.maxFds);
    }
  }
}
