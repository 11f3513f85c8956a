import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// CI (.ci/run) sets TRELLIS_VITEST_JSON_DIR: vitest then also writes <dir>/trellis-observe.json.
const jsonDir = process.env.TRELLIS_VITEST_JSON_DIR;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    ...(jsonDir ? { reporters: ['default', 'json'], outputFile: { json: resolve(jsonDir, 'trellis-observe.json') } } : {}),
  },
});
