import { mergeConfig } from 'vitest/config';
import { vitestConfig } from '../../scripts/vitestConfig.mjs';

// No aliases: these tests use the packed tarballs installed into an app outside the workspace
// (test/setup/packedApp.ts), never the workspace's sources. One file at a time: the service
// tests look for processes left behind by the app's path, so no other test may run from it.
export default mergeConfig(vitestConfig(new URL('./package.json', import.meta.url), { testTimeout: 30_000 }), {
  test: { globalSetup: ['test/setup/packedApp.ts'], fileParallelism: false, hookTimeout: 30_000 },
});
