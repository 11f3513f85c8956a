import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { aliases } from '../../scripts/doctest/aliases.mjs';

// CI (.ci/run) sets TRELLIS_VITEST_JSON_DIR: vitest then also writes <dir>/trellis-observe.json.
const jsonDir = process.env.TRELLIS_VITEST_JSON_DIR;

export default defineConfig({
  // Every public @trellis/* name (core, core/testing, core/env, process, observe, cli) resolves to
  // its src entry: tests need no build, and every package loads one copy of core.
  resolve: { alias: aliases },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    ...(jsonDir ? { reporters: ['default', 'json'], outputFile: { json: resolve(jsonDir, 'trellis-observe.json') } } : {}),
  },
});
