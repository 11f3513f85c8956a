import { aliases } from '../../scripts/doctest/aliases.mjs';
import { vitestConfig } from '../../scripts/vitestConfig.mjs';

// Every public @trellis/* name resolves to its src entry: tests need no build, and every package
// loads one copy of core.
export default vitestConfig(new URL('./package.json', import.meta.url), { testTimeout: 20_000, alias: aliases });
