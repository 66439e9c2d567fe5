/**
 * A URL as it may be printed: a password in its userinfo (`user:secret@host`)
 * becomes `***`, so start lines, failure logs and command output never carry
 * it (a log shipper or a terminal scrollback would). The user name stays: it
 * says which account is used. Text that is not a URL is returned as it is.
 */
export function redactUrl(url: URL | string): string {
  const text = url.toString();
  // Not a URL: nothing in it is userinfo. (Asked, not caught: the TypeError that new URL()
  // throws comes from another realm under a test runner, so instanceof cannot tell it.)
  if (!URL.canParse(text)) return text;
  const u = new URL(text);
  if (u.password === '') return u.toString();
  u.password = '***';
  return u.toString();
}
