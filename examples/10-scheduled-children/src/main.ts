/**
 * Runs the scheduled tree for `--duration-ms`, printing every child's next run time (from
 * `whichChildren`) at the start and every run's handover as it goes; then stops in order. Run it
 * twice with the same `--store` and a pause longer than 3 s between: `nightly` catches up once at
 * boot.
 *
 *   npx --yes pnpm@10.34.9 --filter @trellis/example-scheduled-children start   # from the repo root
 *   npx tsx src/main.ts --duration-ms 4000 --store /tmp/trellis-schedule.json   # from this folder
 *
 * @module
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startSupervisor, stopSupervisor, whichChildren, type ChildExitedEvent } from '@trellis/core';
import type { ScheduleSnapshot } from '@trellis/schedule';
import { buildTree } from './tree.js';

const { values } = parseArgs({
  options: { 'duration-ms': { type: 'string', default: '4000' }, store: { type: 'string', default: join(tmpdir(), 'trellis-example-schedule.json') } },
});
const durationMs = Number(values['duration-ms']);

console.log(`starting root > sweep, tokyo, flaky, nightly  [${durationMs} ms, store ${values.store}]`);
const root = await startSupervisor(buildTree(values.store));
root.on('sup.child.exited', (fact: ChildExitedEvent) => {
  const message = (fact.exit.detail as { message?: string } | undefined)?.message;
  console.log(`[root] ${fact.child} exited: ${fact.exit.reason}${message === undefined ? '' : ` (${message})`} -> ${fact.decision}`);
});
for (const child of whichChildren(root)) {
  const schedule = child.ref?.getSnapshot() as ScheduleSnapshot | undefined;
  const next = schedule?.nextRunAt === undefined ? '-' : new Date(schedule.nextRunAt).toISOString();
  const last = schedule?.lastRun === undefined ? 'none' : `#${schedule.lastRun.number} ${schedule.lastRun.reason}`;
  console.log(`  ${child.id.padEnd(7)} next run ${next}, last run ${last}${schedule?.running === true ? ', running now' : ''}`);
}

await sleep(durationMs);
const rows = whichChildren(root).map((c) => {
  const s = c.ref?.getSnapshot() as ScheduleSnapshot | undefined;
  return `  ${c.id.padEnd(7)} restarts ${c.restarts}, runs ${s?.runs ?? 0}, skipped ${s?.skipped ?? 0}`;
});
console.log(`root stopped: ${JSON.stringify(await stopSupervisor(root))}`);
console.log(['summary:', ...rows].join('\n'));
