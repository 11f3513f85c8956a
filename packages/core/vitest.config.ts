import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
  },
});
