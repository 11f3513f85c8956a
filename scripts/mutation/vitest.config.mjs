// The vitest configuration Stryker runs for a mutation run (scripts/mutation/run.mjs): the
// package's own configuration (aliases, timeout), limited to tests that run in-process on the test
// clock. Tests that start other programs (real Erlang for the differential test, `node` children
// in integration tests) are always left out: each would run once per mutant it covers, for
// minutes, on a machine that is shared.
//
// TRELLIS_MUTATION_TESTS=focused (the default) also leaves out core's machine tests, its
// reliability tests (model-based, fault injection, generated bad input) and the doc examples:
// every one of them goes through the decision modules, so each mutant would re-run hundreds of
// them (5 to 15 s a mutant, over an hour for the decision modules). The focused set is the tests
// written for the modules (test/unit, test/validation) and the supervisor_SUITE cases
// (test/otpSuite); a mutant only another test would kill counts as survived, so a focused score
// is a lower bound. TRELLIS_MUTATION_TESTS=machine adds the machine tests (for the runtime, which
// only they drive: 211 tests, under 2 s in all), TRELLIS_MUTATION_TESTS=all keeps them all, and
// TRELLIS_MUTATION_TESTS=integration also keeps the tests that start programs (slow: minutes a
// mutant for @trellis/process's spawner, watchdog and probes, which only those tests reach).
//
// The package comes from TRELLIS_MUTATION_PACKAGE. run.mjs sets both, and Stryker's test-runner
// processes inherit them.
import { fileURLToPath } from 'node:url';
import { aliases } from '../doctest/aliases.mjs';
import { vitestConfig } from '../vitestConfig.mjs';

const name = process.env.TRELLIS_MUTATION_PACKAGE ?? 'core';
const root = fileURLToPath(new URL(`../../packages/${name}/`, import.meta.url));
const base = vitestConfig(new URL('package.json', `file://${root}`), { testTimeout: 120_000, alias: aliases });

const tests = process.env.TRELLIS_MUTATION_TESTS ?? 'focused';
// 'unit': only test/unit and test/validation, for modules every other test goes through (childSpec).
const unit = tests === 'unit';
// 'machine': the focused set and the machine tests, for the runtime, which only they drive.
const machine = tests === 'machine';
const focused = tests === 'focused' || unit || machine;
// 'integration': every test but the differential one, programs started for real included.
const integration = tests === 'integration';
const slow = [...(machine ? [] : ['test/machine/**']), 'test/reliability/**', 'test/doctest.test.ts'];

export default {
  ...base,
  root,
  test: {
    ...base.test,
    exclude: ['**/node_modules/**', 'test/conformance/**', ...(integration ? [] : ['test/integration/**', 'test/**/*.integration.test.ts']), ...(focused && name === 'core' ? slow : []), ...(unit ? ['test/otpSuite/**'] : [])],
  },
};
