/**
 * Runs the nested tree for a couple of seconds of real time, prints every restart as it
 * happens, then stops the tree in order and prints a summary. Ctrl-C (SIGINT) or SIGTERM stops
 * it early, in order too, with the same summary (stopOnSignals; a second Ctrl-C after 1 s
 * exits at once).
 *
 *   npx --yes pnpm@10.34.9 example                    # from the repo root
 *   npx tsx src/main.ts --seed 7 --duration-ms 5000   # from this folder
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopOnSignals, stopSupervisor, whichChildren, type ChildInfo, type SupervisorExit, type SupervisorRef } from '@trellis/core';
import { buildTree, seededRandom } from './tree.js';
import { watchTree, type Restart } from './watch.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '3' },
    'duration-ms': { type: 'string', default: '2000' },
  },
});
const seed = Number(values.seed);
const durationMs = Number(values['duration-ms']);

console.log(`starting root (one_for_one) > db (rest_for_one) > pool, writer; root > http  [seed ${seed}, ${durationMs} ms]`);
const root = await startSupervisor(buildTree({ random: seededRandom(seed) }));

const restarts: Restart[] = [];
watchTree(
  root,
  (restart) => {
    restarts.push(restart);
    console.log(restart.line);
  },
  (line) => console.log(line),
);

// Read the child tables before stopping: a stopped supervisor answers no queries.
const rows: string[] = [];
let tablesRead = false;
const readTables = (): void => {
  if (tablesRead) return;
  tablesRead = true;
  if (root.getSnapshot().status === 'active') table(root, 'root');
};
const table = (ref: SupervisorRef, path: string): void => {
  for (const child of [...whichChildren(ref)].reverse()) {
    rows.push(row(`${path}/${child.id}`, child));
    if (child.type === 'supervisor' && child.ref !== undefined) table(child.ref as SupervisorRef, `${path}/${child.id}`);
  }
};

// Ctrl-C: the same ordered stop and summary, early. onSignal runs before the stop begins.
const startedAt = Date.now();
const signals = stopOnSignals(root, {
  onSignal: ({ signal, action }) => {
    if (action !== 'stop') return;
    readTables();
    console.log(`\n${signal}: stopping the tree in order`);
  },
});
console.log(`running for ${durationMs} ms; Ctrl-C stops the tree in order`);
const timer = new AbortController();
const bySignal = signals.stopped.then((exit) => {
  timer.abort();
  return exit;
});
const timedOut = await sleep(durationMs, true, { signal: timer.signal }).catch(() => false);
let result: SupervisorExit;
if (timedOut) {
  signals.dispose();
  readTables();
  result = await stopSupervisor(root);
} else {
  result = await bySignal;
}

console.log(`\nsummary after ${Math.min(durationMs, Date.now() - startedAt)} ms: ${restarts.length} restart(s)`);
for (const line of rows) console.log(line);
console.log(`root stopped: ${JSON.stringify(result)}`);
process.exitCode = result.reason === 'normal' || (result.reason === 'shutdown' && result.detail === undefined) ? 0 : 1;

function row(path: string, child: ChildInfo): string {
  const last = child.lastExit === null ? '-' : child.lastExit.reason;
  return `  ${path.padEnd(16)} ${child.type.padEnd(10)} incarnation ${child.incarnation}, ${child.restarts} automatic restart(s), previous exit: ${last}`;
}
