// The vitest configuration every example's smoke test uses.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * CI (`.ci/run`) sets TRELLIS_VITEST_JSON_DIR: then vitest also writes a JSON report
 * <dir>/<package name>.json, whose numPassedTests/numFailedTests the CI script sums up.
 *
 * @param packageJsonUrl - the example's `package.json`, as a URL.
 */
export function exampleConfig(packageJsonUrl: URL): ViteUserConfig {
  const jsonDir = process.env.TRELLIS_VITEST_JSON_DIR;
  const pkgName = (JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { name: string }).name;
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      ...(jsonDir
        ? { reporters: ['default', 'json'], outputFile: { json: resolve(jsonDir, `${pkgName.replace(/^@/, '').replace(/\//g, '-')}.json`) } }
        : {}),
    },
  });
}
