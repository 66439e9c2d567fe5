import * as fs from 'fs';
import { errnoCode } from '../../../platforms/errno';
import { UnavailableError } from '../../errors';

/**
 * Makes --buffer-dir before its queue opens it. A read-only or missing parent
 * (EROFS, ENOENT: the file system that holds it is not mounted yet) can heal:
 * UnavailableError (exit 75, restarted by the unit). Anything else (EACCES,
 * ENOTDIR) is left to the queue, whose UsageError (exit 2) names it.
 */
export function ensureBufferDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EROFS' || code === 'ENOENT')
      throw new UnavailableError(`--buffer-dir ${dir}: ${(err as Error).message} (not mounted yet?)`);
    if (code === 'EACCES' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'EPERM') return;
    throw err;
  }
}
