/**
 * Runs the nested tree for a couple of seconds of real time, prints every restart as it
 * happens, then stops the tree in order and prints a summary.
 *
 *   npx --yes pnpm@10.34.9 example                    # from the repo root
 *   npx tsx src/main.ts --seed 7 --duration-ms 5000   # from this folder
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopSupervisor, whichChildren, type ChildInfo, type SupervisorRef } from '@trellis/core';
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

await sleep(durationMs);

// Read the child tables before stopping: a stopped supervisor answers no queries.
const rows: string[] = [];
const table = (ref: SupervisorRef, path: string): void => {
  for (const child of [...whichChildren(ref)].reverse()) {
    rows.push(row(`${path}/${child.id}`, child));
    if (child.type === 'supervisor' && child.ref !== undefined) table(child.ref as SupervisorRef, `${path}/${child.id}`);
  }
};
const rootAlive = root.getSnapshot().status === 'active';
if (rootAlive) table(root, 'root');

const result = await stopSupervisor(root);

console.log(`\nsummary after ${durationMs} ms: ${restarts.length} restart(s)`);
for (const line of rows) console.log(line);
console.log(`root stopped: ${JSON.stringify(result)}`);
process.exitCode = result.reason === 'normal' ? 0 : 1;

function row(path: string, child: ChildInfo): string {
  const last = child.lastExit === null ? '-' : child.lastExit.reason;
  return `  ${path.padEnd(16)} ${child.type.padEnd(10)} incarnation ${child.incarnation}, ${child.restarts} automatic restart(s), previous exit: ${last}`;
}
