/**
 * Doctests: every ```ts fence of an `@example` in `src/**\/*.ts` runs as its own module.
 *
 * Each fence is written to `test/doctest/.generated/run/` (git-ignored) and imported; the module's
 * top-level code is the test, so an example passes when it finishes without throwing (its
 * `node:assert/strict` calls included). `@trellis/core`, `@trellis/core/testing` and
 * `@trellis/core/env` resolve to `src` through the aliases in `vitest.config.ts`. Fences marked
 * `no-run` or containing `declare const` are only type-checked, by `typecheck.mjs`; they are
 * listed here as skipped. Every example must finish within 5 s.
 */
import { pathToFileURL } from 'node:url';
import { describe, it } from 'vitest';
import { exampleName, extractAll, writeExamples } from './extract.mjs';

const EXAMPLE_TIMEOUT_MS = 5_000;

const examples = writeExamples(extractAll(), 'run');

describe('doc examples', () => {
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
