/**
 * Runs the worker-thread tree for a few seconds: `stuck` blocks its event loop and is terminated
 * when its heartbeat stops, `leaky` runs out of its heap limit and is killed; both come back with
 * the reason in their handover. Then the tree stops in order (each thread is asked through
 * `threadChild()`'s signal) and a summary is printed.
 *
 *   npx --yes pnpm@10.34.9 --filter @trellis/example-worker-threads start   # from the repo root
 *   npx tsx src/main.ts --duration-ms 4000                                  # from this folder
 *
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopSupervisor, whichChildren, type ChildExitedEvent } from '@trellis/core';
import { buildTree } from './tree.js';

const { values } = parseArgs({ options: { 'duration-ms': { type: 'string', default: '3000' } } });
const durationMs = Number(values['duration-ms']);

console.log(`starting root (one_for_one) > hasher, stuck, leaky  [${durationMs} ms]`);
const root = await startSupervisor(buildTree());
root.on('sup.child.exited', (fact: ChildExitedEvent) => {
  const { reason, detail } = fact.exit;
  // The detail without stack traces: what tripped, not where.
  const shown = JSON.stringify(detail ?? {}, (key, value: unknown) => (key === 'stack' ? undefined : value));
  console.log(`[root] ${fact.child} #${fact.incarnation} exited: ${reason} ${shown} -> ${fact.decision}`);
});

await sleep(durationMs);
const rows = whichChildren(root).map((c) => `  ${c.id.padEnd(6)} incarnation ${c.incarnation}, restarts ${c.restarts}, last exit ${c.lastExit?.reason ?? 'none'}`);
console.log(`root stopped: ${JSON.stringify(await stopSupervisor(root))}`);
console.log(['summary:', ...rows].join('\n'));
