/**
 * Runs the process tree for a couple of seconds: the children print their handover at every
 * incarnation, `sleep` is killed with `kill -9` once, then the tree stops in order (SIGTERM to
 * each process group) and a summary is printed.
 *
 *   npx --yes pnpm@10.34.9 --filter @trellis/example-process-children start   # from the repo root
 *   npx tsx src/main.ts --duration-ms 4000                                     # from this folder
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopSupervisor, whichChildren, type ChildExitedEvent } from '@trellis/core';
import type { ProcessSnapshot } from '@trellis/process';
import { buildTree } from './tree.js';

const { values } = parseArgs({ options: { 'duration-ms': { type: 'string', default: '2000' } } });
const durationMs = Number(values['duration-ms']);

console.log(`starting root (one_for_one) > node, shell, sleep  [${durationMs} ms]`);
const root = await startSupervisor(buildTree((line) => console.log(line)));
root.on('sup.child.exited', (fact: ChildExitedEvent) => {
  const { reason, signal, detail } = fact.exit;
  // A crash carries its exit code in `detail.code` (the serialised ProcessCrashError).
  const code = fact.exit.code ?? (detail as { code?: number } | undefined)?.code;
  console.log(`[root] ${fact.child} #${fact.incarnation} exited: ${reason} (code ${code ?? '-'}, signal ${signal ?? '-'}) -> ${fact.decision}`);
});

await sleep(Math.min(800, durationMs / 2));
const sleeper = whichChildren(root).find((c) => c.id === 'sleep');
const pid = (sleeper?.ref?.getSnapshot() as ProcessSnapshot | undefined)?.pid;
if (pid !== undefined) {
  console.log(`[main] kill -9 ${pid} (sleep)`);
  process.kill(pid, 'SIGKILL');
}
await sleep(durationMs - Math.min(800, durationMs / 2));

const rows = whichChildren(root).map((c) => `  ${c.id.padEnd(6)} incarnation ${c.incarnation}, restarts ${c.restarts}, last exit ${c.lastExit?.reason ?? 'none'}`);
console.log(`root stopped: ${JSON.stringify(await stopSupervisor(root))}`);
console.log(['summary:', ...rows].join('\n'));
