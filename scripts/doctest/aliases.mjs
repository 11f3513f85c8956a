// The public entry points of the repo's packages (`@trellis/core`, `@trellis/core/testing`, …),
// each mapped to its source file, computed from `packages/*/package.json` `exports`: an export
// whose default target is `./dist/<x>.js` maps to `./src/<x>.ts`.
//
// vitest (`resolve.alias` in each package's vitest.config.ts) and the doctest type-check (`paths`)
// use it, so tests need no build of the package itself and every package loads ONE copy of core,
// from src: `instanceof` checks and shared registries break if core is loaded twice.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function exportTarget(value) {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return exportTarget(value.import ?? value.default ?? value.node);
  return undefined;
}

/** `[{ specifier, file }]`: every public entry of every package and its absolute source file, longest specifier first. */
export function publicEntries(root = repoRoot) {
  const entries = [];
  const packagesDir = join(root, 'packages');
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const exportsField = typeof manifest.exports === 'string' ? { '.': manifest.exports } : (manifest.exports ?? {});
    for (const [subpath, value] of Object.entries(exportsField)) {
      const target = exportTarget(value);
      const match = target === undefined ? null : /^\.\/dist\/(.+)\.js$/.exec(target);
      if (!match) continue;
      const file = join(packagesDir, dir, 'src', `${match[1]}.ts`);
      if (!existsSync(file)) continue;
      entries.push({ specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.replace(/^\.\//, '')}`, file });
    }
  }
  return entries.sort((a, b) => b.specifier.length - a.specifier.length || a.specifier.localeCompare(b.specifier));
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** For vite/vitest `resolve.alias`: exact-match patterns, so `@trellis/core` does not capture `@trellis/core/testing`. */
export const aliases = publicEntries().map(({ specifier, file }) => ({ find: new RegExp(`^${escape(specifier)}$`), replacement: file }));

/** For TypeScript `compilerOptions.paths`. */
export const paths = Object.fromEntries(publicEntries().map(({ specifier, file }) => [specifier, [file]]));
