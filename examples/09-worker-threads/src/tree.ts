/**
 * The example tree: `root` (one_for_one) supervises three worker threads, each printing the
 * handover it got as `workerData` (through `threadChild()`):
 *
 * - `hasher`: CPU-bound work in slices, with a heartbeat; stops when asked;
 * - `stuck`: blocks its event loop on its first incarnation; its heartbeat catches it (`timeout`);
 * - `leaky`: outgrows its 32 MB heap limit on its first incarnation (`killed`, limit in the detail);
 *
 * and one OS process, `hog`, whose first incarnation grows past its 96 MB `memoryLimit` (`killed`,
 * with the reading that tripped it in the detail).
 *
 * @module
 */
import { defineSupervisor, type SupervisorLogic } from '@trellis/core';
import { fileURLToPath } from 'node:url';
import { fromProcess, fromWorkerThread } from '@trellis/process';

const thread = (name: string): URL => new URL(`./threads/${name}.mjs`, import.meta.url);

/** Builds the tree. */
export function buildTree(): SupervisorLogic {
  return defineSupervisor({
    id: 'root',
    intensity: 5,
    periodMs: 10_000,
    children: [
      { id: 'hasher', start: fromWorkerThread(thread('hasher'), { awaitReady: true, heartbeatMs: 1_000 }), shutdown: 2_000 },
      { id: 'stuck', start: fromWorkerThread(thread('stuck'), { awaitReady: true, heartbeatMs: 500 }), shutdown: 1_000 },
      { id: 'leaky', start: fromWorkerThread(thread('leaky'), { awaitReady: true, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 } }), shutdown: 1_000 },
      {
        id: 'hog',
        start: fromProcess({
          command: process.execPath,
          args: [fileURLToPath(new URL('./children/hog.mjs', import.meta.url))],
          output: { passThrough: true },
          readiness: { kind: 'line', pattern: /^ {2}hog / }, // started once it has said who it is
          memoryLimit: { maxRssMb: 96, intervalMs: 200, samples: 2, killAfterMs: 1_000 },
        }),
        shutdown: 1_000,
      },
    ],
  });
}
