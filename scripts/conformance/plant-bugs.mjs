#!/usr/bin/env node
// Validates the differential test (decision 0012) by planting realistic bugs in @trellis/core's
// source, one at a time, and checking that the differential test fails on each. The source file
// is restored after every mutation (also on Ctrl-C). Prints a table; exits 1 if a bug got through.
//
//   node scripts/conformance/plant-bugs.mjs            all mutations, TRELLIS_SEED=1 (reproducible)
//   node scripts/conformance/plant-bugs.mjs killed-clean   only the mutations whose name contains that
//
// Not part of CI: each mutation costs one run of the differential test (up to its ~35 s budget).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const core = join(root, 'packages', 'core');

/** Each: a bug someone could plausibly write, as one textual replacement in one file. */
export const MUTATIONS = [
  { name: 'killed-clean', file: 'src/restartDecision.ts', find: "reason === 'normal' || reason === 'shutdown' ?", replace: "reason === 'normal' || reason === 'shutdown' || reason === 'killed' ?", what: '`killed` treated as a clean exit (a killed transient child is not restarted)' },
  { name: 'transient-clean-restarted', file: 'src/restartDecision.ts', find: "transient: { clean: 'keep'", replace: "transient: { clean: 'restart'", what: 'a transient child that exits normally is restarted' },
  { name: 'temporary-kept', file: 'src/restartDecision.ts', find: "temporary: { clean: 'delete', abnormal: 'delete' }", replace: "temporary: { clean: 'keep', abnormal: 'delete' }", what: "a temporary child's spec kept after a clean exit" },
  { name: 'temporary-bystander-restarted', file: 'src/strategies.ts', find: "if (child.restart === 'temporary') drop.push(child.id);\n    else start.push(child.id);", replace: 'start.push(child.id);', what: 'temporary bystanders restarted by one_for_all/rest_for_one (OTP temporary_bystander)' },
  { name: 'stop-order-not-reversed', file: 'src/strategies.ts', find: '  stop.reverse();\n', replace: '', what: 'bystanders stopped in start order instead of reverse start order' },
  { name: 'rest-for-one-as-one-for-all', file: 'src/strategies.ts', find: "let reached = strategy === 'one_for_all';", replace: 'let reached = true;', what: 'rest_for_one restarts the children before the failed one too' },
  { name: 'stopped-bystander-not-restarted', file: 'src/strategies.ts', find: '    if (!reached) continue;\n', replace: '    if (!reached) continue;\n    if (!child.alive) continue;\n', what: 'one_for_all leaves manually terminated siblings down (OTP restarts them: tree)' },
  { name: 'intensity-off-by-one', file: 'src/intensity.ts', find: 'if (times.length - first >= intensity) {', replace: 'if (times.length - first > intensity) {', what: 'one restart more than the intensity allowed' },
  { name: 'which-children-oldest-first', file: 'src/runtime/SupervisorRuntime.ts', find: '    return out.reverse();\n  }\n\n  countChildren', replace: '    return out;\n  }\n\n  countChildren', what: 'which_children in start order instead of newest first' },
  { name: 'restarting-counted-active', file: 'src/runtime/SupervisorRuntime.ts', find: "if (rec.ref !== undefined && rec.state !== 'restarting') active++;", replace: "if (rec.ref !== undefined || rec.state === 'restarting') active++;", what: 'a child in a restart loop counted as active (OTP count_restarting_children)', knownMiss: 'a restart loop ends before both sides are quiet, so the differential never observes a restarting child (decision 0012); the model and machine tests catch it' },
  { name: 'all-significant-as-any', file: 'src/runtime/SupervisorRuntime.ts', find: "if (mode === 'all_significant') {", replace: "if (mode === 'all_significant' && false) {", what: 'all_significant shuts down at the first significant exit' },
  { name: 'significant-ignored', file: 'src/runtime/SupervisorRuntime.ts', find: '    if (rec.spec.significant) this.checkAutoShutdown();\n  }', replace: '  }', what: 'auto_shutdown never triggered by a significant child' },
  { name: 'terminate-keeps-restart-loop', file: 'src/runtime/SupervisorRuntime.ts', find: "if (rec.state === 'restarting') this.setRestarting(rec, false); // ends the restart loop", replace: '', what: 'terminate_child does not end a restart loop (OTP hanging_restart_loop)' },
  { name: 'delete-running-allowed', file: 'src/runtime/SupervisorRuntime.ts', find: "else if (rec.state !== 'stopped') reply.reject(new ChildRunningError(this.path, id, 'deleted'));", replace: '', what: 'delete_child of a running child succeeds instead of {error,running}' },
  { name: 'temporary-terminated-kept', file: 'src/runtime/SupervisorRuntime.ts', find: "    yield* this.stopRecord(rec, 'shutdown', undefined);\n    if (rec.spec.restart === 'temporary' || this.config.dynamic !== undefined) this.removeRecord(rec.spec.id);", replace: "    yield* this.stopRecord(rec, 'shutdown', undefined);\n    if (this.config.dynamic !== undefined) this.removeRecord(rec.spec.id);", what: "terminate_child keeps a temporary child's spec" },
];

/** The first error line of a failed run, without colour codes. */
function firstError(out) {
  // eslint-disable-next-line no-control-regex
  const plain = out.replace(/\u001b\[[0-9;]*m/g, '');
  return /(?:\w*Error): [^\n]*/.exec(plain)?.[0] ?? 'no error line';
}

const filter = process.argv[2];
const chosen = MUTATIONS.filter((m) => filter === undefined || m.name.includes(filter));
const results = [];
let current;
/** The vitest run in progress, stopped with this script on Ctrl-C. */
let running;

function restore() {
  if (current !== undefined) writeFileSync(current.path, current.original);
  current = undefined;
}
process.on('SIGINT', () => {
  running?.kill('SIGKILL');
  restore();
  process.exit(130);
});

for (const m of chosen) {
  const path = join(core, m.file);
  const original = readFileSync(path, 'utf8');
  if (!original.includes(m.find)) {
    results.push({ ...m, outcome: 'NOT APPLIED (source changed: update the mutation)' });
    continue;
  }
  current = { path, original };
  writeFileSync(path, original.replace(m.find, m.replace));
  const began = Date.now();
  let run;
  try {
    run = await new Promise((resolve) => {
      const child = spawn(join(root, 'node_modules', '.bin', 'vitest'), ['run', 'test/conformance/differential.test.ts'], {
        cwd: core,
        env: { ...process.env, TRELLIS_SEED: process.env.TRELLIS_SEED ?? '1', TRELLIS_SOAK: '' },
      });
      running = child;
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
      child.on('close', (status) => {
        clearTimeout(timer);
        running = undefined;
        resolve({ status, stdout, stderr });
      });
    });
  } finally {
    restore();
  }
  const out = `${run.stdout}\n${run.stderr}`;
  const caught = run.status !== 0 && out.includes('OTP and trellis diverge');
  const missed = m.knownMiss === undefined ? 'MISSED' : `missed, as expected: ${m.knownMiss}`;
  const shrunk = /Shrunk to (\d+) of (\d+) commands/.exec(out);
  results.push({ ...m, outcome: caught ? `caught${shrunk ? ` (shrunk to ${shrunk[1]} of ${shrunk[2]} commands)` : ''}` : run.status === 0 ? missed : `ERROR (exit ${run.status}): ${firstError(out)}`, seconds: Math.round((Date.now() - began) / 1000) });
  console.log(`${m.name}: ${results.at(-1).outcome} in ${results.at(-1).seconds} s`);
}

console.log('\n| mutation | what it breaks | outcome |\n|---|---|---|');
for (const r of results) console.log(`| \`${r.name}\` (${r.file}) | ${r.what} | ${r.outcome} |`);
process.exit(results.every((r) => r.outcome.startsWith('caught') || r.outcome.startsWith('missed, as expected')) ? 0 : 1);
