// The vitest configuration of every workspace package and example, in one place.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * A package's vitest config: `test/**\/*.test.ts`, and, when CI (`.ci/run`) sets
 * TRELLIS_VITEST_JSON_DIR, a JSON report `<dir>/<package name without @, / as ->.json` beside the
 * default reporter; `.ci/run` sums their numPassedTests/numFailedTests into its closing line.
 *
 * @param {URL} packageJsonUrl - the package's `package.json`.
 * @param {{ testTimeout: number; alias?: unknown }} options - the test timeout; for packages, the `@trellis/*` aliases.
 */
export function vitestConfig(packageJsonUrl, { testTimeout, alias }) {
  const jsonDir = process.env.TRELLIS_VITEST_JSON_DIR;
  const name = JSON.parse(readFileSync(packageJsonUrl, 'utf8')).name;
  // scripts/xstate/range.mjs runs the tests against another xstate 5.x, installed outside the
  // workspace: every `xstate` import, from tests and sources alike, resolves to that one copy.
  const xstateDir = process.env.TRELLIS_XSTATE_DIR;
  if (xstateDir) {
    const { version } = JSON.parse(readFileSync(resolve(xstateDir, 'package.json'), 'utf8'));
    console.log(`vitest: xstate ${version} from ${xstateDir}`);
    alias = [...(Array.isArray(alias) ? alias : []), { find: /^xstate$/, replacement: xstateDir }];
  }
  return defineConfig({
    ...(alias === undefined ? {} : { resolve: { alias } }),
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout,
      ...(jsonDir
        ? { reporters: ['default', 'json'], outputFile: { json: resolve(jsonDir, `${name.replace(/^@/, '').replace(/\//g, '-')}.json`) } }
        : {}),
    },
  });
}
