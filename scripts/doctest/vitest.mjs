// Doctests for vitest: every ```ts fence of an `@example` in a package's `src/**/*.ts` runs as its
// own module. Each package's `test/doctest.test.ts` calls `defineDoctests(packageRoot)`.
//
// Each fence is written to `<packageRoot>/test/doctest/.generated/run/` (git-ignored) and
// imported; the module's top-level code is the test, so an example passes when it finishes
// without throwing (its `node:assert/strict` calls included). Public names (`@trellis/core`,
// `@trellis/core/testing`, `@trellis/process`, …) resolve to `src` through the aliases of
// aliases.mjs, set in the package's vitest.config.ts. Fences marked `no-run` or containing
// `declare const` are only type-checked, by typecheck.mjs; they are listed here as skipped.
// Every example must finish within 30 s: a bound for a hang, not a timing (the first example of a
// package also pays for transforming its module graph, slow on a loaded 2-core CI machine).
import { pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';
import { exampleName, extractExamples, generatedDir, writeExamples } from './extract.mjs';

export const EXAMPLE_TIMEOUT_MS = 30_000;

/** Registers one vitest test per example fence of the package at `packageRoot` (a path or `file:` URL). */
export function defineDoctests(packageRoot, entrySrcDir = 'src') {
  const examples = writeExamples(extractExamples(packageRoot, entrySrcDir), generatedDir(packageRoot, 'run'));
  describe('doc examples', () => {
    if (examples.length === 0) {
      it.skip('(no examples)', () => {});
      return;
    }
    for (const example of examples) {
      const name = exampleName(example);
      if (!example.runnable) {
        it.skip(`${name} (type-check only)`, () => {});
        continue;
      }
      it(
        name,
        async () => {
          await import(/* @vite-ignore */ pathToFileURL(example.path).href);
        },
        EXAMPLE_TIMEOUT_MS,
      );
    }
  });
  return examples;
}
