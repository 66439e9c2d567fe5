/**
 * A URL as it may be printed: a password in its userinfo (`user:secret@host`)
 * becomes `***`, so start lines, failure logs and command output never carry
 * it (a log shipper or a terminal scrollback would). The user name stays: it
 * says which account is used. Text that is not a URL is returned as it is.
 */
export function redactUrl(url: URL | string): string {
  let u: URL;
  try {
    u = new URL(url.toString());
  } catch (err) {
    if (err instanceof TypeError) return url.toString(); // not a URL: nothing in it is userinfo
    throw err;
  }
  if (u.password === '') return u.toString();
  u.password = '***';
  return u.toString();
}
