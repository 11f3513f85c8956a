/**
 * {@link setDefaultProcessLogger}: the logger of every `fromProcess` child that has none of its
 * own, so that a program (such as `trellis run`) can route every child's output to its log.
 *
 * @module
 */
import type { Logger } from '@trellis/core';
import { InvalidProcessOptionsError } from './errors.js';

// Kept on globalThis under a registered symbol, not in a module variable: a config loaded by the
// `trellis` binary may import its own copy of this package, and it must see the binary's default.
const SLOT = Symbol.for('@trellis/process/defaultLogger');
type Slot = { [SLOT]?: Logger | undefined };

/** The logger set by {@link setDefaultProcessLogger}, if any. */
export function defaultProcessLogger(): Logger | undefined {
  return (globalThis as Slot)[SLOT];
}

/**
 * Sets the logger that every `fromProcess` child without a `logger` of its own uses, from its
 * next start on.
 *
 * @remarks
 * A child's stdout lines are logged at `info` and its stderr lines at `warn` (see
 * `OutputOptions`), with its lifecycle records, through a child logger bound to
 * `{ child, incarnation, pid }`. Without a logger they are thrown away, and a crash is logged
 * only as `reason: "error"`. `trellis run` sets its own pino logger here, so a crashing child's
 * stderr is in the binary's log. `output: { log: false }` still keeps a child quiet. The default
 * is read when an incarnation starts, so it applies to children defined before it was set.
 *
 * @param logger - a pino-like logger, or `undefined` to have none.
 * @returns a function that restores the previous default.
 * @throws {@link InvalidProcessOptionsError} when `logger` has no `child()` and `info()`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { setDefaultProcessLogger } from '@trellis/process';
 * const lines: string[] = [];
 * const logger = { child: () => logger, info: (_: object, msg: string) => void lines.push(msg), warn: () => {}, error: () => {}, debug: () => {}, isLevelEnabled: () => true };
 * const restore = setDefaultProcessLogger(logger as never);
 * restore(); // back to none
 * assert.deepEqual(lines, []);
 * ```
 *
 * @category process
 * @since 0.1.0
 */
export function setDefaultProcessLogger(logger: Logger | undefined): () => void {
  if (logger !== undefined && (typeof logger !== 'object' || logger === null || typeof logger.child !== 'function' || typeof logger.info !== 'function')) {
    throw new InvalidProcessOptionsError('logger', 'a pino-like logger with child() and info()', logger);
  }
  const slot = globalThis as Slot;
  const previous = slot[SLOT];
  slot[SLOT] = logger;
  return () => {
    slot[SLOT] = previous;
  };
}
