/**
 * How a worker thread's end becomes a trellis exit: the exit code, the error it died of, and what
 * trellis did to it. Pure, so the table is tested without threads.
 *
 * @module
 */
import { exit, serializeError, type ExitRequest, type TimeoutDetail } from '@trellis/core';

/**
 * What is known when a worker thread has exited.
 *
 * @remarks
 * The input of {@link threadExitOf}. `error` is what the `Worker`'s `'error'` event carried (an
 * uncaught exception in the thread, or Node's `ERR_WORKER_OUT_OF_MEMORY`).
 *
 * @example
 * ```ts
 * import type { ThreadExitFacts } from '@trellis/process';
 * const facts: ThreadExitFacts = { code: 1, error: undefined, stopRequested: false, heartbeatMissed: false, shutdownExitCodes: [] };
 * ```
 *
 * @category models
 * @since 0.2.0
 */
export interface ThreadExitFacts {
  /** The thread's exit code (`process.exit(code)` in the thread; 1 after an uncaught error or `terminate()`). */
  readonly code: number;
  /** The error the thread died of, when its `'error'` event fired. */
  readonly error: unknown;
  /** The supervisor had asked the thread to stop before it exited. */
  readonly stopRequested: boolean;
  /** trellis terminated the thread because it missed its heartbeat. */
  readonly heartbeatMissed: boolean;
  /** Exit codes that count as a clean `shutdown`. */
  readonly shutdownExitCodes: readonly number[];
  /** The heartbeat period, for the `timeout` detail. */
  readonly heartbeatMs?: number | undefined;
  /** The thread's `resourceLimits`, for the detail of an out-of-memory exit. */
  readonly resourceLimits?: Readonly<Record<string, number>> | undefined;
}

/**
 * The error a crashed worker thread's actor ends with when it exited with a non-zero code and
 * no uncaught error.
 *
 * @remarks
 * `code` is the thread's exit code, which the supervisor copies into `previousExit.code`. A
 * thread that died of an uncaught exception ends with that exception instead.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { ThreadCrashError } from '@trellis/process';
 * assert.equal(new ThreadCrashError('file:///app/thread.js', 3).code, 3);
 * ```
 *
 * @category errors
 * @since 0.2.0
 */
export class ThreadCrashError extends Error {
  /** Always `'ThreadCrashError'`. */
  override readonly name: string = 'ThreadCrashError';
  /** The thread's exit code. */
  readonly code: number;

  /**
   * Makes the error.
   *
   * @param file - the thread's module.
   * @param code - its exit code.
   */
  constructor(file: string, code: number) {
    super(`Worker thread ${file} exited with code ${code}.`);
    this.code = code;
  }
}

/** Node's code for a thread that hit its `resourceLimits` heap. */
export const OUT_OF_MEMORY = 'ERR_WORKER_OUT_OF_MEMORY';

/**
 * Maps a worker thread's end to how its actor ends: an {@link ExitRequest} for a clean or
 * trellis-made end, or an error for a crash.
 *
 * @remarks
 * In order: a heartbeat miss is `timeout` (detail `{ check: 'heartbeat', heartbeatMs }`, core's
 * `TimeoutDetail`); a thread that ran out of its
 * `resourceLimits` heap (`ERR_WORKER_OUT_OF_MEMORY`) is `killed` with detail `{ limit: 'memory',
 * resourceLimits, error }` (decision 0023: a limit kill reads like the kernel's OOM kill of a
 * process); any end after the supervisor asked it to stop is `shutdown`; code 0 is `normal`; a
 * code in `shutdownExitCodes` is `shutdown`; an uncaught error is a crash with that error;
 * any other code is a crash with a {@link ThreadCrashError}.
 *
 * @param facts - the exit and its circumstances.
 * @param file - the thread's module, for the crash message.
 * @returns `{ done: ExitRequest }` or `{ error }`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { threadExitOf } from '@trellis/process';
 * const base = { error: undefined, stopRequested: false, heartbeatMissed: false, shutdownExitCodes: [] };
 * assert.equal(threadExitOf({ ...base, code: 0 }, 'thread.js').done?.reason, 'normal');
 * assert.equal(threadExitOf({ ...base, code: 1, heartbeatMissed: true, heartbeatMs: 500 }, 'thread.js').done?.reason, 'timeout');
 * assert.equal(threadExitOf({ ...base, code: 1, error: new TypeError('boom') }, 'thread.js').error instanceof TypeError, true);
 * ```
 *
 * @category process
 * @since 0.2.0
 */
export function threadExitOf(
  facts: ThreadExitFacts,
  file: string,
): {
  /** The exit, when the thread ended cleanly or trellis ended it (`normal`, `shutdown`, `killed`, `timeout`). */
  done?: ExitRequest;
  /** The crash, otherwise: the thread's uncaught error or a {@link ThreadCrashError}. */
  error?: unknown;
} {
  if (facts.heartbeatMissed) return { done: exit.of('timeout', { code: facts.code, detail: { check: 'heartbeat', heartbeatMs: facts.heartbeatMs ?? 0 } satisfies TimeoutDetail }) };
  if ((facts.error as { code?: unknown } | undefined)?.code === OUT_OF_MEMORY) {
    return { done: exit.of('killed', { code: facts.code, detail: { limit: 'memory', resourceLimits: facts.resourceLimits ?? {}, error: serializeError(facts.error) } }) };
  }
  if (facts.stopRequested) return { done: exit.of('shutdown', { code: facts.code }) };
  if (facts.error === undefined && facts.code === 0) return { done: exit.of('normal', { code: 0 }) };
  if (facts.error === undefined && facts.shutdownExitCodes.includes(facts.code)) return { done: exit.of('shutdown', { code: facts.code }) };
  if (facts.error !== undefined) return { error: facts.error };
  return { error: new ThreadCrashError(file, facts.code) };
}
