/**
 * The Node.js version check `bin/callscript.js` runs before it loads anything
 * else: on an older Node the build fails with a syntax or module error that
 * says nothing useful (undici 7 and the schema's JSON import need 20.18.1+).
 * The requirement is read from package.json's `engines`, so the two agree.
 */

/** `>=20.18.3` → [20, 18, 3]; undefined for any other form of range. */
export function minimumOf(range) {
  const m = /^\s*>=\s*v?(\d+)\.(\d+)\.(\d+)\s*$/.exec(range ?? '');
  return m === null ? undefined : [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** A sentence saying what is wrong, or undefined when `version` satisfies `range`. */
export function nodeProblem(version, range) {
  const minimum = minimumOf(range);
  if (minimum === undefined) return undefined;
  const have = String(version).replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > minimum[i]) return undefined;
    if ((have[i] ?? 0) < minimum[i]) {
      return `callscript needs Node.js ${minimum.join('.')} or newer (package.json engines: "${range}"); this is Node.js ${String(version).replace(/^v/, '')}. Install a current Node.js 20 or newer (https://nodejs.org).`;
    }
  }
  return undefined;
}
