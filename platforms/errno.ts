/** errno code of a Node system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * The sample-error reason for a failed read. hidepid=1 ("noaccess") mounts
 * answer EPERM, file modes EACCES: both mean "not ours to read".
 */
export function readErrorReason(code: string | undefined): 'permission_denied' | 'read_failed' {
  return code === 'EACCES' || code === 'EPERM' ? 'permission_denied' : 'read_failed';
}
