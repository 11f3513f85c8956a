/**
 * Runs the tree until each runaway child has been restarted once (at most `--max-ms`): `stuck`
 * blocks its event loop and is terminated when its heartbeat stops, `leaky` runs out of its heap
 * limit, `hog` stays over its memory limit; each comes back with the reason in its handover. Then
 * the tree stops in order (each thread is asked through `threadChild()`'s signal, the process gets
 * SIGTERM) and a summary is printed.
 *
 *   npx --yes pnpm@10.34.9 --filter @trellis/example-worker-threads start   # from the repo root
 *   npx tsx src/main.ts --max-ms 20000                                      # from this folder
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopSupervisor, whichChildren, type ChildExitedEvent } from '@trellis/core';
import { buildTree } from './tree.js';

const { values } = parseArgs({ options: { 'max-ms': { type: 'string', default: '20000' } } });
const maxMs = Number(values['max-ms']);
const RUNAWAY = ['stuck', 'leaky', 'hog'];

console.log(`starting root (one_for_one) > hasher, stuck, leaky, hog  [until each runaway child is back, at most ${maxMs} ms]`);
const root = await startSupervisor(buildTree());
/** An exit's detail without stack traces: what tripped, not where. */
const shown = (detail: unknown): string => JSON.stringify(detail ?? {}, (key, value: unknown) => (key === 'stack' ? undefined : value));
// Exits from here on (one during the start, before this line, shows in the summary).
root.on('sup.child.exited', (fact: ChildExitedEvent) => {
  console.log(`[root] ${fact.child} #${fact.incarnation} exited: ${fact.exit.reason} ${shown(fact.exit.detail)} -> ${fact.decision}`);
});

const deadline = Date.now() + maxMs;
const back = (): boolean => RUNAWAY.every((id) => whichChildren(root).some((c) => c.id === id && c.restarts >= 1 && c.status === 'running'));
while (!back() && Date.now() < deadline) await sleep(50);
await sleep(500); // the new incarnations print their handover
const rows = whichChildren(root).map(
  (c) => `  ${c.id.padEnd(6)} incarnation ${c.incarnation}, restarts ${c.restarts}, last exit ${c.lastExit === null ? 'none' : `${c.lastExit.reason} ${shown(c.lastExit.detail)}`}`,
);
console.log(`root stopped: ${JSON.stringify(await stopSupervisor(root))}`);
console.log(['summary:', ...rows].join('\n'));
