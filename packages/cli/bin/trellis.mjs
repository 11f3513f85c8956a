#!/usr/bin/env node
// The `trellis` binary as package managers link it. pnpm links a workspace package's bin when it
// installs, before anything is built, and skips a bin whose file does not exist yet: so the link
// points at this committed file, not at dist/. It runs the build (dist/bin.js) when there is one,
// as in every published package; in a fresh clone it runs the TypeScript source through tsx,
// with @trellis/* imports mapped to their source too (sourceHooks.mjs).
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const built = new URL('../dist/bin.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const tsx = await import('tsx/esm/api');
  tsx.register();
  // Registered after tsx, so it runs first and sees tsx's failure to find a missing dist/.
  register('./sourceHooks.mjs', import.meta.url);
  await import(new URL('../src/bin.ts', import.meta.url).href);
}
