/** A push that did not land: the reason names the status and body, or the network error. */
export class PushError extends Error {
  override readonly name = 'PushError';
  constructor(
    message: string,
    /** Short stable token for logs and state tracking: timeout, connection, http_<status>. */
    readonly kind: string,
  ) {
    super(message);
  }
}
