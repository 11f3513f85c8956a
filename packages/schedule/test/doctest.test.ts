// Doctests: every ```ts fence of an `@example` in src/**/*.ts runs as its own module (fences
// marked `no-run` or containing `declare const` are listed as skipped; they are type-checked by
// `pnpm run typecheck`). The shared implementation is scripts/doctest/ (see vitest.mjs there).
import { defineDoctests } from '../../../scripts/doctest/vitest.mjs';

defineDoctests(new URL('..', import.meta.url));
