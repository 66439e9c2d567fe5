import * as fs from 'fs';
import * as path from 'path';
import { errnoCode } from '../errno';
import { WholeFileReader } from '../whole-file';
import { scanTcpTable, TcpRow } from './tcp-scan';

const FIRST_SIZE = 256 * 1024;

/**
 * The collector's read of `net/tcp` and `net/tcp6`: synchronous reads into one
 * reused buffer (grown by doubling when a table does not fit, never shrunk),
 * each row visited through scanTcpTable. At 10,000 rows (1.5 MB of text) this
 * costs a few ms beyond the kernel's own rendering, where readFileSync plus a
 * split-and-regex parse cost ~35 ms (bench/connections-poll.ts). One instance
 * per collector.
 */
export class TcpTableReader {
  private readonly file = new WholeFileReader(FIRST_SIZE);
  private readonly row = new TcpRow();

  constructor(private readonly procfsRoot: string) {}

  /** Visits every row of net/tcp then net/tcp6 (missing tcp6: none). Throws other read errors. */
  read(onRow: (row: TcpRow) => void, onMalformed?: (line: string) => void): void {
    const v4 = this.load(path.join(this.procfsRoot, 'net', 'tcp'), false);
    scanTcpTable(this.file.buf, v4, 4, onRow, onMalformed, this.row);
    const v6 = this.load(path.join(this.procfsRoot, 'net', 'tcp6'), true);
    if (v6 > 0) scanTcpTable(this.file.buf, v6, 6, onRow, onMalformed, this.row);
  }

  /** Only the reads (the kernel's rendering), for the bench: the byte count of both tables. */
  readOnly(): number {
    return (
      this.load(path.join(this.procfsRoot, 'net', 'tcp'), false) +
      this.load(path.join(this.procfsRoot, 'net', 'tcp6'), true)
    );
  }

  /** The whole file into the reader's buffer; its length. 0 for a missing file when `optional`. */
  private load(file: string, optional: boolean): number {
    try {
      return this.file.read(file);
    } catch (err) {
      if (optional && errnoCode(err) === 'ENOENT') return 0;
      throw err;
    }
  }
}

/** Why `<procfsRoot>/net/tcp` cannot be read here, or undefined when it can. */
export function tcpTableUnavailable(
  procfsRoot: string,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const file = path.join(procfsRoot, 'net', 'tcp');
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (err) {
    const code = errnoCode(err);
    if (platform !== 'linux' && code === 'ENOENT') return `${file} is Linux only (this is ${platform})`;
    return `cannot read ${file} (${code ?? (err as Error).message})`;
  }
  return undefined;
}
