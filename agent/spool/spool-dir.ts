import * as fs from 'fs';
import { UnavailableError, UsageError } from '../errors';

/**
 * The spool directory's checks at start: it exists, the agent can delete
 * from it, and no stranger can swap files in it. World-writable without the
 * sticky bit lets any user delete or replace another job's file (and plant
 * one under any job's name); a directory owned by another user can have its
 * mode changed by that user. Throws UsageError (exit 2) naming the fix.
 */
export function checkSpoolDir(dir: string, uid = process.getuid?.() ?? 0): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    // Missing may heal (a late mount, a directory another unit creates): exit 75, which the unit restarts.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UnavailableError(`--spool-dir ${dir}: does not exist (create it: see README "Spool")`);
    throw new UsageError(`--spool-dir ${dir}: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new UsageError(`--spool-dir ${dir} is not a directory`);
  const mode = st.mode & 0o7777;
  if ((mode & 0o002) !== 0 && (mode & 0o1000) === 0) {
    throw new UsageError(
      `--spool-dir ${dir} is world-writable without the sticky bit (mode ${mode.toString(8)}): any user could delete or replace another job's file. ` +
        'Give the batch jobs a group instead (chmod 2770, chgrp) or set the sticky bit (chmod +t)',
    );
  }
  if (st.uid !== 0 && st.uid !== uid) {
    throw new UsageError(
      `--spool-dir ${dir} is owned by uid ${st.uid}, neither root nor the agent's user (uid ${uid}): that user could change its mode. chown it to root`,
    );
  }
  try {
    fs.accessSync(dir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw new UsageError(
      `--spool-dir ${dir}: the agent (uid ${uid}) cannot read and write it, so it could not delete delivered files (give it the directory's group)`,
    );
  }
}
