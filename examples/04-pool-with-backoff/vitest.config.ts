import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// CI (`.ci/run`) sets TRELLIS_VITEST_JSON_DIR: then vitest also writes a JSON report
// <dir>/<package name>.json, whose numPassedTests/numFailedTests the CI script sums up.
const jsonDir = process.env.TRELLIS_VITEST_JSON_DIR;
const pkgName = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { name: string }).name;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    ...(jsonDir
      ? { reporters: ['default', 'json'], outputFile: { json: resolve(jsonDir, `${pkgName.replace(/^@/, '').replace(/\//g, '-')}.json`) } }
      : {}),
  },
});
