#!/usr/bin/env node
// Runs @trellis/core against the ends of its xstate peer range: the lowest version the range
// allows (read from packages/core/package.json's peerDependencies, `^5.N.M` -> 5.N.M) and the
// newest 5.x on the registry. For each: a user's program type-checks against core's built
// declarations (packages/core/dist: build first) and that version's, and core's whole test suite
// runs with every `xstate` import resolved to that version: the tests' through vitest's alias
// (scripts/vitestConfig.mjs reads TRELLIS_XSTATE_DIR), and those of the programs the integration
// tests start through a resolve hook in NODE_OPTIONS (resolveXstate.mjs).
//
// Each version is installed with npm into its own temp dir: the workspace, its lockfile and its
// node_modules are never touched. Usage: node scripts/xstate/range.mjs [version ...]
// (no versions: the two ends of the range). The suite is not run again for the version the
// workspace pins (CI's test step ran it). Exits non-zero when any check fails.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const coreDir = join(root, 'packages/core');
const core = JSON.parse(readFileSync(join(coreDir, 'package.json'), 'utf8'));
const peer = core.peerDependencies?.xstate;
const lowest = /^\^(5\.\d+\.\d+)$/.exec(peer ?? '')?.[1];
if (!lowest) throw new Error(`packages/core/package.json: peerDependencies.xstate must be a caret range "^5.N.M", got ${JSON.stringify(peer)}`);

/** Runs a command with a time limit; returns whether it exited 0. */
function run(command, args, options) {
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', timeout: 300_000, killSignal: 'SIGKILL', ...options });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.error) console.log(`xstate range: ${command} ${args.join(' ')}: ${result.error.message} after ${seconds}s`);
  return result.status === 0;
}

/** Installs xstate@spec into a fresh temp dir; returns that dir and the exact version installed. */
function install(spec) {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-xstate-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'xstate-range', private: true, type: 'module' }));
  const ok = run('npm', ['install', '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `xstate@${spec}`], {
    cwd: dir,
  });
  if (!ok) throw new Error(`npm install xstate@${spec} failed`);
  const xstateDir = join(dir, 'node_modules/xstate');
  return { dir, xstateDir, version: JSON.parse(readFileSync(join(xstateDir, 'package.json'), 'utf8')).version };
}

/**
 * A user's program type-checked against core's published declarations (packages/core/dist, built
 * from the workspace's pinned xstate) and that xstate's: what an app with its own xstate 5.x
 * sees. Strict, NodeNext, exactOptionalPropertyTypes; skipLibCheck as apps have it (xstate's own
 * .d.ts files do not pass exactOptionalPropertyTypes).
 */
function typecheck(dir) {
  const coreCopy = join(dir, 'node_modules/@trellis/core');
  cpSync(join(coreDir, 'dist'), join(coreCopy, 'dist'), { recursive: true });
  cpSync(join(coreDir, 'package.json'), join(coreCopy, 'package.json'));
  writeFileSync(join(dir, 'app.ts'), APP);
  const base = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
  const compilerOptions = { ...base.compilerOptions, composite: false, declaration: false, declarationMap: false, sourceMap: false, noEmit: true };
  compilerOptions.typeRoots = [join(root, 'node_modules/@types')]; // @types/node from the workspace
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
  return run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir });
}

// The README's calls: an XState actor of a supervisor, startSupervisor, a command, the test clock.
const APP = `import { createActor } from 'xstate';
import { defineSupervisor, fromWorker, startSupervisor, stopSupervisor, whichChildren, type SupervisorExit } from '@trellis/core';
import { createTestClock } from '@trellis/core/testing';

const worker = fromWorker(async ({ signal, sleep }) => {
  while (!signal.aborted) await sleep(1000);
});
const root = defineSupervisor({ id: 'root', strategy: 'one_for_all', children: [{ id: 'w', start: worker }] });
const actor = createActor(root);
actor.start();
actor.stop();
const sup = await startSupervisor(root, { clock: createTestClock() });
const ids: string[] = whichChildren(sup).map((c) => c.id);
const exit: SupervisorExit = await stopSupervisor(sup);
console.log(ids, exit.reason);
`;

const pinned = JSON.parse(readFileSync(join(coreDir, 'node_modules/xstate/package.json'), 'utf8')).version;

/**
 * The environment of a range run: vitest's alias for the tests, and NODE_OPTIONS' resolve hook
 * (resolveXstate.mjs) for every Node process they start, such as the programs of core's
 * integration tests.
 */
function rangeEnv(xstateDir) {
  const hook = pathToFileURL(join(root, 'scripts/xstate/resolveXstate.mjs')).href;
  return { ...process.env, TRELLIS_XSTATE_DIR: xstateDir, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim() };
}

/** A program started the way core's integration tests start theirs resolves `xstate` to that copy. */
function programResolves(xstateDir) {
  const script = "process.stdout.write(import.meta.resolve('xstate'))";
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: coreDir, env: rangeEnv(xstateDir), encoding: 'utf8', timeout: 60_000 });
  const resolved = result.stdout ?? '';
  const ok = result.status === 0 && resolved.startsWith(pathToFileURL(xstateDir).href + '/');
  console.log(`xstate range: a spawned program resolves xstate to ${resolved || `nothing (${result.stderr})`}${ok ? '' : `, not to ${xstateDir}`}`);
  return ok;
}

function tests(xstateDir, version, spec) {
  console.log(`::: xstate range: ${version} (${spec}): core tests`);
  if (!programResolves(xstateDir)) return false;
  return run(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run'], {
    cwd: coreDir,
    env: { ...rangeEnv(xstateDir), TRELLIS_VITEST_JSON_DIR: '' },
  });
}

const specs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [lowest, '^5'];
const results = [];
for (const spec of specs) {
  const { dir, xstateDir, version } = install(spec);
  try {
    console.log(`::: xstate range: ${version} (${spec}): type-check a program against core's declarations`);
    const types = typecheck(dir);
    // The workspace's own pin already ran the whole suite in CI's test step: not twice.
    const suite = version === pinned || tests(xstateDir, version, spec);
    results.push({ version, types, suite });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
for (const { version, types, suite } of results) {
  const ran = version === pinned ? 'the workspace pin: tests run by the test step' : `tests ${suite ? 'ok' : 'FAILED'}`;
  console.log(`xstate ${version}: types ${types ? 'ok' : 'FAILED'}, ${ran}`);
}
process.exit(results.every((r) => r.types && r.suite) ? 0 : 1);
