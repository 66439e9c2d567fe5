import * as fs from 'fs';
import * as path from 'path';
import { errnoCode } from '../errno';
import { parseTcpTable, type TcpSocket } from './tcp-table';

/**
 * Every TCP socket of the network namespace `<procfsRoot>` belongs to: `net/tcp`
 * then `net/tcp6`. A kernel without IPv6 has no `tcp6` (ENOENT): that table is
 * simply empty. Any other read error throws.
 */
export function readTcpSockets(procfsRoot: string, onMalformed?: (line: string) => void): TcpSocket[] {
  const v4 = parseTcpTable(fs.readFileSync(path.join(procfsRoot, 'net', 'tcp'), 'latin1'), 4, onMalformed);
  let v6text: string;
  try {
    v6text = fs.readFileSync(path.join(procfsRoot, 'net', 'tcp6'), 'latin1');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return v4;
    throw err;
  }
  const v6 = parseTcpTable(v6text, 6, onMalformed);
  for (const s of v6) v4.push(s);
  return v4;
}

/** Why `<procfsRoot>/net/tcp` cannot be read here, or undefined when it can. */
export function tcpTableUnavailable(procfsRoot: string, platform: NodeJS.Platform = process.platform): string | undefined {
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
