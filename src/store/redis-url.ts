/**
 * A Redis URL as logs and error messages show it: the password (`redis://user:pw@…`,
 * or `redis://:pw@…` for AUTH without a user) replaced by `***`, the rest kept, so
 * an operator sees which server and database were meant.
 */
export function redisUrlForLogs(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL: nothing in it can be told apart as a password, so none of it is shown.
    return 'redis://(an unparsable URL)';
  }
  if (u.password !== '') u.password = '***';
  return u.toString();
}
