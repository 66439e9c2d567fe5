import * as fs from 'fs';

/** Never follow a link, never wait on a FIFO or a device, never make a tty ours. */
const O_SPOOL_READ = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY;

export type SpoolRead =
  /** Its bytes (at most maxBytes + 1: more than maxBytes means too large) and the stat of the open file. */
  { bytes: Buffer; st: fs.BigIntStats } | { bad: 'not_regular'; message: string } | { gone: true };

/** What kind of thing a non-regular file is, for the reason a user reads. */
function kind(st: fs.BigIntStats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

/** Why a non-regular spool entry is refused (the `.error` text). */
export function notRegularMessage(st: fs.BigIntStats): string {
  return `${kind(st)}, not a regular file (spool files are never followed nor read from anything else)`;
}

/**
 * Opens a spool file the way a hostile writer cannot exploit: without
 * following a symlink and without blocking (a FIFO swapped in after the look
 * opens at once), checked on the open fd to be a regular file. ENOENT: it
 * went away. The caller closes `fd`.
 */
export function openSpoolFile(
  file: string,
): { fd: number; st: fs.BigIntStats } | { bad: 'not_regular'; message: string } | { gone: true } {
  let fd: number;
  try {
    fd = fs.openSync(file, O_SPOOL_READ);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { gone: true };
    if (code === 'ELOOP') return { bad: 'not_regular', message: 'a symlink, not a regular file (never followed)' };
    if (code === 'ENXIO') return { bad: 'not_regular', message: 'a socket or a device, not a regular file' };
    throw err;
  }
  const st = fs.fstatSync(fd, { bigint: true });
  if (st.isFile()) return { fd, st };
  fs.closeSync(fd);
  return { bad: 'not_regular', message: notRegularMessage(st) };
}

/** At most `maxBytes + 1` bytes of an open file (more than maxBytes: too large): a file growing meanwhile cannot make it read forever. */
export function readAtMost(fd: number, maxBytes: number): Buffer {
  const buf = Buffer.allocUnsafe(Math.min(maxBytes + 1, Number(fs.fstatSync(fd).size) + 1));
  let n = 0;
  for (;;) {
    const want = buf.length - n;
    if (want <= 0) break;
    const got = fs.readSync(fd, buf, n, want, null);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/** openSpoolFile and readAtMost in one: the bytes and the stat of the open file. */
export function readSpoolFile(file: string, maxBytes: number): SpoolRead {
  const o = openSpoolFile(file);
  if (!('fd' in o)) return o;
  try {
    return { bytes: readAtMost(o.fd, maxBytes), st: o.st };
  } finally {
    fs.closeSync(o.fd);
  }
}
