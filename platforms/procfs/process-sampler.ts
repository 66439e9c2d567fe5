import * as fs from 'fs';
import * as path from 'path';
import { errnoCode, readErrorReason } from '../errno';
import { CommInterner, parseStatInto, type StatRecord } from './parse-stat';
import { keptFileBudget, KeptFileReader } from './reader';
import type { Sysconf } from './sysconf';
import type { ProcessField, ProcessSample, ProcessSampler, SampleErrorSink } from '../types';

const FIELDS: ReadonlySet<ProcessField> = new Set<ProcessField>(['rss', 'vsz', 'cpu', 'threads', 'startTime']);

/** Errors that mean "the process is gone": skipped silently. */
const VANISHED = new Set(['ENOENT', 'ESRCH']);

/**
 * Every process from `<root>/<pid>/stat`: one read per process, nothing else.
 * The stat files stay open between samples (see KeptFileReader).
 */
export class ProcfsProcessSampler implements ProcessSampler {
  readonly name = 'procfs';
  readonly fields = FIELDS;
  private readonly reader = new KeptFileReader(4096, keptFileBudget());
  private readonly comms = new CommInterner();
  /** Parsed into, then copied out: one record per sampler, not per process. */
  private readonly rec: StatRecord = {
    pid: 0,
    comm: '',
    ppid: 0,
    utimeTicks: 0,
    stimeTicks: 0,
    threads: 0,
    startTicks: 0,
    vsizeBytes: 0,
    rssPages: 0,
  };

  constructor(
    private readonly root: string,
    private readonly sys: Sysconf,
    private readonly bootTime: number,
    private readonly onError: SampleErrorSink,
  ) {}

  async sample(): Promise<ProcessSample[]> {
    return this.sampleSync();
  }

  close(): void {
    this.reader.closeAll();
  }

  private sampleSync(): ProcessSample[] {
    const names = fs.readdirSync(this.root);
    const out: ProcessSample[] = [];
    const { clockTicks, pageSize } = this.sys;
    const buf = this.reader.buf;
    const prefix = this.root + path.sep;
    const suffix = path.sep + 'stat';
    this.reader.beginPass();
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 0x30 || c > 0x39) continue;
      let len: number;
      try {
        len = this.reader.read(prefix, name, suffix);
      } catch (err) {
        const code = errnoCode(err);
        if (code && VANISHED.has(code)) continue;
        this.onError(readErrorReason(code), `${name}/stat: ${(err as Error).message}`);
        continue;
      }
      const rec = this.rec;
      if (!parseStatInto(buf, len, rec, this.comms.decode)) {
        // A process exiting can leave an empty read; only a non-empty garbled line is an error.
        if (len > 0) this.onError('malformed_stat', `${name}/stat: ${buf.toString('latin1', 0, Math.min(len, 120))}`);
        continue;
      }
      out.push({
        pid: rec.pid,
        ppid: rec.ppid,
        comm: rec.comm,
        rssBytes: rec.rssPages * pageSize,
        vszBytes: rec.vsizeBytes,
        cpuUserSeconds: rec.utimeTicks / clockTicks,
        cpuSystemSeconds: rec.stimeTicks / clockTicks,
        threads: rec.threads,
        startTimeSeconds: this.bootTime + rec.startTicks / clockTicks,
      });
    }
    this.reader.endPass();
    return out;
  }
}
