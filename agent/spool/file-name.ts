/**
 * Which files of the spool directory are batch-job results, and the job each
 * one is delivered under. `<job>.prom`, or `<job>.<run>.prom` so one job can
 * leave several results (delivered oldest first): the job is the name up to
 * the first dot. Names starting with `.` (temporary files of the rename
 * pattern) and other extensions are not spool files at all.
 */

export const SPOOL_SUFFIX = '.prom';

/** A job name a file may give: what a Prometheus job usually is, and safe in a URL path and a log line. */
const JOB = /^[A-Za-z0-9_:-]+$/;
const RUN = /^[A-Za-z0-9_.:+-]*$/;

export function isSpoolFile(name: string): boolean {
  return !name.startsWith('.') && name.endsWith(SPOOL_SUFFIX) && name.length > SPOOL_SUFFIX.length;
}

/** The job of a spool file name, or why the name is refused. */
export function jobOf(name: string): { job: string } | { error: string } {
  const stem = name.slice(0, -SPOOL_SUFFIX.length);
  const dot = stem.indexOf('.');
  const job = dot < 0 ? stem : stem.slice(0, dot);
  const run = dot < 0 ? '' : stem.slice(dot + 1);
  if (!JOB.test(job) || !RUN.test(run)) {
    return {
      error: `file name ${JSON.stringify(name)}: a job name (before the first dot) may hold letters, digits, '_', '-' and ':' only, the rest also '.' and '+'`,
    };
  }
  return { job };
}
