/** A push that did not land: the reason names the status and body, or the network error. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    message: string,
    /** Short stable token for logs and state tracking: timeout, connection, http_<status>. */
    readonly kind: string,
    /** The network error behind it, when there is one (its `code`: ECONNREFUSED ...). */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
