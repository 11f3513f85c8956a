// Loaded with `--import` through NODE_OPTIONS by scripts/xstate/range.mjs, so every Node process
// of a range run resolves a bare `xstate` import (or `xstate/...`) to the copy in
// TRELLIS_XSTATE_DIR: vitest's alias (scripts/vitestConfig.mjs) reaches only the tests, and
// core's integration tests run whole programs (`node --import tsx fixture.ts`), which would
// otherwise load the workspace's pinned xstate. Does nothing when TRELLIS_XSTATE_DIR is unset.
import { register } from 'node:module';

const dir = process.env.TRELLIS_XSTATE_DIR;
if (dir) register(new URL('./resolveXstateHooks.mjs', import.meta.url), { data: { dir } });
