import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// CI (.ci/run) sets TRELLIS_VITEST_JSON_DIR: vitest then also writes <dir>/trellis-core.json,
// from which .ci/run prints its closing "N passed, N failed" line.
const jsonDir = process.env.TRELLIS_VITEST_JSON_DIR;

export default defineConfig({
  resolve: {
    alias: {
      '@trellis/core/testing': fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)),
      '@trellis/core/env': fileURLToPath(new URL('./src/env.ts', import.meta.url)),
      '@trellis/core': fileURLToPath(new URL('./src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 10_000,
    ...(jsonDir ? { reporters: ['default', 'json'], outputFile: { json: resolve(jsonDir, 'trellis-core.json') } } : {}),
  },
});
