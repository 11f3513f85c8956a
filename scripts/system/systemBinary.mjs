// Finds the binaries of Debian packages that some tests start for real (Chromium, Erlang/OTP,
// PostgreSQL). `.ci/run` installs them when missing and sets TRELLIS_REQUIRE_SYSTEM=1, so in CI a
// missing binary fails the test that needs it; on a developer's machine with only Node and npm
// (the README's promise) those tests are skipped with a line that says how to get them.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The first of `names` found executable on PATH or as an absolute path, or `undefined`.
 *
 * @param {readonly string[]} names - binary names or absolute paths, in order of preference.
 * @returns {string | undefined}
 */
export function findBinary(names) {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of names) {
    const candidates = name.startsWith('/') ? [name] : dirs.map((dir) => join(dir, name));
    for (const candidate of candidates) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; try the next one
      }
    }
  }
  return undefined;
}

/**
 * The path of a binary a test needs, or `undefined` with a warning (skip the test then).
 * Throws when TRELLIS_REQUIRE_SYSTEM=1 (CI), so a missing install step fails loudly there.
 *
 * @param {string} what - a short name for messages, e.g. 'chromium'.
 * @param {readonly string[]} names - binary names or absolute paths.
 * @param {string} debianPackage - the package that provides it.
 * @returns {string | undefined}
 */
export function systemBinary(what, names, debianPackage) {
  const found = findBinary(names);
  if (found !== undefined) return found;
  const hint = `${what} not found (tried ${names.join(', ')}): install Debian's ${debianPackage} (apt-get install ${debianPackage})`;
  if (process.env.TRELLIS_REQUIRE_SYSTEM === '1') throw new Error(`${hint}; TRELLIS_REQUIRE_SYSTEM=1 requires it`);
  console.warn(`skipping the tests that need ${what}: ${hint}`);
  return undefined;
}
