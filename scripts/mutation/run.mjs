#!/usr/bin/env node
// Mutation testing with StrykerJS: plants small bugs (mutants) in source files one at a time and
// runs the tests that cover each; a mutant no test fails on "survived". Not part of CI's default
// run: it takes minutes per module. Results: docs/guides/mutation.md.
//
// Usage (from the repository root; `pnpm mutation` is `nice -n 10 node scripts/mutation/run.mjs`):
//   node scripts/mutation/run.mjs decision               core's decision modules (the default), but childSpec.ts
//   node scripts/mutation/run.mjs childSpec              core's childSpec.ts, with the unit tests only
//   node scripts/mutation/run.mjs process                packages/process/src
//   node scripts/mutation/run.mjs core src/backoff.ts    one or more files of a package
//   node scripts/mutation/run.mjs core 'src/runtime/**/*.ts'
//   add --static to also test static mutants (see below)
//   add --all-tests to run core's machine, model-based and fault tests too (vitest.config.mjs)
//   add --integration to also run the tests that start real programs (slowest)
//   add --unit to run only core's test/unit and test/validation (the childSpec scope does)
//   add --machine to run core's machine tests beside the focused set (the runtime scope does)
//   add --concurrency=2 to run two test processes (on a machine nothing else needs)
//
// It runs one test process at a time (concurrency 1) unless told: the machines it runs on are
// shared. The tests are the package's in-process ones (scripts/mutation/vitest.config.mjs). It
// prints a score per file and every surviving mutant, and writes Stryker's JSON report to
// reports/mutation/<scope>.json and the table as <scope>.md (git-ignored).
import { Stryker } from '@stryker-mutator/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
process.chdir(repoRoot);

/** Named scopes: the package and the files (relative to the package) each one mutates. */
const SCOPES = {
  decision: {
    pkg: 'core',
    files: [
      'src/restartDecision.ts',
      'src/strategies.ts',
      'src/intensity.ts',
      'src/backoff.ts',
      'src/restartBudget.ts',
      'src/exit.ts',
      'src/validation/**/*.ts',
    ],
  },
  // childSpec.ts alone, with the unit tests only: every other test goes through it.
  childSpec: { pkg: 'core', files: ['src/childSpec.ts'], unit: true },
  process: { pkg: 'process', files: ['src/**/*.ts', '!src/index.ts'] },
  // The runtime is driven by the machine tests (supervisors run on the test clock), so its scope
  // runs them too; the reliability tests and the doc examples stay out.
  runtime: { pkg: 'core', files: ['src/runtime/**/*.ts'], machine: true },
};

const args = process.argv.slice(2);
// Static mutants (in values computed once, when a module loads: tables of valid values, messages)
// need every test re-run in a fresh module graph, so each costs a whole test run: about a third of
// the mutants and most of the time. They are left out unless --static is given.
const withStatic = args.includes('--static');
const integration = args.includes('--integration');
const unitOnly = args.includes('--unit');
const allTests = integration || args.includes('--all-tests');
const machine = args.includes('--machine');
const concurrencyArg = args.find((a) => a.startsWith('--concurrency='));
const concurrency = concurrencyArg === undefined ? 1 : Number(concurrencyArg.slice('--concurrency='.length));
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`mutation: --concurrency must be a positive integer, got "${concurrencyArg}"`);
  process.exit(2);
}
const [first = 'decision', ...rest] = args.filter((a) => !a.startsWith('--'));
// A package and files (`process src/output.ts`) win over a scope of the same name (`process`).
const named = rest.length === 0 ? SCOPES[first] : undefined;
const scope = named ?? { pkg: first, files: rest };
if (!named && rest.length === 0) {
  console.error(`mutation: unknown scope "${first}": use one of ${Object.keys(SCOPES).join(', ')}, or a package and its files`);
  process.exit(2);
}
const pkgDir = `packages/${scope.pkg}`;
// Stryker's test-runner processes inherit it: vitest.config.mjs reads it to pick the package.
process.env.TRELLIS_MUTATION_PACKAGE = scope.pkg;
process.env.TRELLIS_MUTATION_TESTS = integration ? 'integration' : allTests ? 'all' : unitOnly || scope.unit ? 'unit' : machine || scope.machine ? 'machine' : 'focused';
// One report per scope: a named scope, or the package and the files' names.
const reportName = named ? first : `${first}-${rest.map((f) => f.replace(/^.*\//, '').replace(/\.ts$/, '').replace(/[^\w.-]/g, '_')).join('+')}`.slice(0, 120);
const reportFile = `reports/mutation/${reportName}.json`;
mkdirSync('reports/mutation', { recursive: true });

const started = Date.now();
const stryker = new Stryker({
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // related: false, so the dry run runs every test of the set and per-test coverage decides what
  // each mutant re-runs. Vitest's related-files search misses tests that import a module through
  // the package's index (`../../src/index.js`): exitStatus.ts's own unit test was never run, and
  // all 36 of its mutants came out as not covered.
  vitest: { configFile: 'scripts/mutation/vitest.config.mjs', dir: pkgDir, related: false },
  mutate: scope.files.map((f) => (f.startsWith('!') ? `!${pkgDir}/${f.slice(1)}` : `${pkgDir}/${f}`)),
  coverageAnalysis: 'perTest',
  concurrency,
  timeoutMS: 10_000,
  ignoreStatic: !withStatic,
  reporters: ['json', 'progress-append-only'],
  jsonReporter: { fileName: reportFile },
  // The sandbox is a copy of the repository (the aliases resolve @trellis/* inside it); these are not
  // needed there. Anchored with '/': a bare 'reports' also left out core's src/reports. The built
  // dist/ is kept: a unit test of core reads dist/env.js.
  ignorePatterns: ['/examples', '/.ci', '/reports', 'docs/guides/images', 'packages/*/bench'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
});
const results = await stryker.runMutationTest();
const seconds = Math.round((Date.now() - started) / 1000);

const byFile = new Map();
const COUNTS = { Killed: 'killed', Timeout: 'timeout', Survived: 'survived', NoCoverage: 'noCoverage', Ignored: 'ignored' };
const empty = () => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, other: 0 });
for (const r of results) {
  const file = relative(repoRoot, r.fileName);
  const row = byFile.get(file) ?? { ...empty(), survivors: [] };
  row[COUNTS[r.status] ?? 'other']++;
  if (r.status === 'Survived' || r.status === 'NoCoverage') row.survivors.push(r);
  byFile.set(file, row);
}
const score = (row) => {
  const detected = row.killed + row.timeout;
  const valid = detected + row.survived + row.noCoverage;
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)}%`;
};
const lines = [
  '| file | killed | timeout | survived | no coverage | static, not run | score |',
  '|---|---:|---:|---:|---:|---:|---:|',
];
const total = empty();
for (const [file, row] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
  lines.push(`| \`${file}\` | ${row.killed} | ${row.timeout} | ${row.survived} | ${row.noCoverage} | ${row.ignored} | ${score(row)} |`);
  for (const k of Object.keys(total)) total[k] += row[k];
}
lines.push(`| all | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} | ${total.ignored} | ${score(total)} |`);
console.log(`\nmutation: ${first}, ${seconds} s, concurrency ${concurrency}, ${process.env.TRELLIS_MUTATION_TESTS} tests${withStatic ? ', static mutants included' : ''}\n`);
console.log(lines.join('\n'));
for (const [file, row] of byFile) {
  for (const r of row.survivors) {
    const { line, column } = r.location.start;
    console.log(`${r.status === 'NoCoverage' ? 'no coverage' : 'survived'}: ${file}:${line}:${column} ${r.mutatorName}: ${JSON.stringify(r.replacement ?? '')}`);
  }
}
writeFileSync(`reports/mutation/${reportName}.md`, `${lines.join('\n')}\n`);
