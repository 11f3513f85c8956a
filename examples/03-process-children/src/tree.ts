/**
 * The example tree: `root` (one_for_one) supervises three OS processes, each of which prints
 * the handover it finds in its TRELLIS_* environment variables:
 *
 * - `node`: a Node program that crashes (exit 1) on its first incarnation;
 * - `shell`: a shell script that exits 3 on its first two incarnations;
 * - `sleep`: `sleep 30` (under a one-line `sh` that prints first), which the program kills with
 *   `kill -9` to show the reason `killed`.
 *
 * @module
 */
import { fileURLToPath } from 'node:url';
import { defineSupervisor, type Logger, type SupervisorLogic } from '@trellis/core';
import { fromProcess } from '@trellis/process';

const WORKER = fileURLToPath(new URL('./children/worker.mjs', import.meta.url));

/** A logger that prints each line a child writes to stdout, and nothing else. */
export function printingLogger(print: (line: string) => void): Logger {
  const logger: Logger = {
    child: () => logger,
    info: (fields, msg) => {
      if ((fields as { stream?: string }).stream === 'stdout' && msg !== undefined) print(`  ${msg}`);
    },
    warn: (fields, msg) => {
      if ((fields as { stream?: string }).stream === 'stderr' && msg !== undefined) print(`  (stderr) ${msg}`);
    },
    error: () => {},
    debug: () => {},
  };
  return logger;
}

/** Builds the tree; `print` receives every line the children write. */
export function buildTree(print: (line: string) => void): SupervisorLogic {
  const logger = printingLogger(print);
  return defineSupervisor({
    id: 'root',
    intensity: 10,
    periodMs: 5_000,
    children: [
      {
        id: 'node',
        start: fromProcess({ command: process.execPath, args: [WORKER], logger, readiness: { kind: 'line', pattern: /^node / } }),
        shutdown: 2_000,
      },
      {
        id: 'shell',
        start: fromProcess({
          command: 'sh',
          args: ['-c', 'echo "shell  #$TRELLIS_INCARNATION previous exit: ${TRELLIS_PREV_EXIT_REASON:-none} (code ${TRELLIS_PREV_EXIT_CODE:--})"; [ "$TRELLIS_INCARNATION" -lt 2 ] && { sleep 0.3; exit 3; }; exec sleep 30'],
          logger,
        }),
      },
      {
        id: 'sleep',
        start: fromProcess({
          command: 'sh',
          args: ['-c', 'echo "sleep  #$TRELLIS_INCARNATION previous exit: ${TRELLIS_PREV_EXIT_REASON:-none} (signal ${TRELLIS_PREV_EXIT_SIGNAL:--})"; exec sleep 30'],
          logger,
          readiness: { kind: 'line', pattern: /^sleep / },
        }),
      },
    ],
  });
}
