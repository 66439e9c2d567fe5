/**
 * Typed errors. Each maps to one exit code, in exactly one place: agent/cli/main.ts.
 */

/** Bad flags, env or config: exit 2 before anything starts. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A backend (Prometheus, Pushgateway) unreachable or failing: exit 3. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
}

/** A file given to a command is not valid (`spool check`): exit 2, the message names the line and reason. */
export class InvalidFileError extends Error {
  override readonly name = 'InvalidFileError';
}

/**
 * Something the agent needs is not there yet but may come (a file system
 * mounted late, a directory another unit creates): exit 75 (EX_TEMPFAIL),
 * which the unit restarts, unlike exit 2 that no restart can fix.
 */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError';
}

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_BACKEND = 3;
export const EXIT_TEMPFAIL = 75;

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError || err instanceof InvalidFileError) return EXIT_USAGE;
  if (err instanceof BackendError) return EXIT_BACKEND;
  if (err instanceof UnavailableError) return EXIT_TEMPFAIL;
  return EXIT_FAILURE;
}
