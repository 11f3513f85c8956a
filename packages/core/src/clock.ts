/**
 * The clock every supervisor reads time from and sets its timers with, so tests can step time
 * instead of sleeping.
 *
 * @module
 */

/**
 * A source of time and timers: a superset of XState's `Clock`, so the same object can be given
 * to `createActor(logic, { clock })` and drives both XState's delays and the supervisor's
 * intensity window and shutdown timers.
 *
 * @remarks
 * `now()` returns milliseconds; only differences between two readings matter, except in
 * `ExitStatus.at`, which is read from {@link Clock.now} too, so a clock for production should
 * return epoch milliseconds (as {@link systemClock} does).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import type { Clock } from '@trellis/core';
 * import { createTestClock } from '@trellis/core/testing';
 * const clock: Clock = createTestClock(100);
 * assert.equal(clock.now(), 100);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface Clock {
  /** Milliseconds; epoch milliseconds for the system clock. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer; a handle that already fired or was cleared is ignored. */
  clearTimeout(handle: unknown): void;
  /**
   * Holds the program open until the returned release is called, the way a listening server
   * does; optional. A root supervisor calls it when it starts and releases it when it ends, so
   * its tree's timers need not hold the program themselves. Calling the release more than once
   * has no further effect. A test clock has none: its time only moves when the test steps it.
   */
  keepAlive?(): () => void;
}

/** The longest delay Node's timers accept (2^31 - 1 ms, about 24.8 days). */
const HOLD_MS = 2_147_483_647;
let holders = 0;
let holdOpen: ReturnType<typeof setInterval> | undefined;

/**
 * The real clock: `Date.now()` and Node's timers.
 *
 * @remarks
 * The program's life follows the tree's, not its timers' (decision 0008). Timers are `unref`'d, so
 * a timer left behind never holds a finished program open; instead {@link Clock.keepAlive} holds
 * one `ref`'d interval for as long as any holder keeps it (reference counted), and a started root
 * supervisor is such a holder from its start to its end. So a tree whose only work is sleeping
 * workers, a backoff or a shutdown timeout keeps its program running, and a program whose tree
 * has ended can exit.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { systemClock } from '@trellis/core';
 * const before = Date.now();
 * assert.ok(systemClock.now() >= before); // epoch milliseconds
 * const release = systemClock.keepAlive?.(); // the program stays up...
 * release?.(); // ...until the last holder lets go
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  keepAlive: () => {
    // One ref'd interval for every holder: it never fires in practice, it only holds the loop.
    if (holders++ === 0) holdOpen = setInterval(() => {}, HOLD_MS);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--holders === 0) {
        clearInterval(holdOpen);
        holdOpen = undefined;
      }
    };
  },
};

/**
 * True when `value` has the three methods of {@link Clock}.
 *
 * @remarks
 * A structural check: any object with `now()`, `setTimeout()` and `clearTimeout()` is a clock.
 * XState's own clock lacks `now()`, so it is not one; this is how a child logic tells whether the
 * actor system's clock can serve it, or it should fall back to {@link systemClock}.
 *
 * @param value - anything.
 * @returns whether it can serve as a clock.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { isClock, systemClock } from '@trellis/core';
 * import { createTestClock } from '@trellis/core/testing';
 * assert.ok(isClock(systemClock));
 * assert.ok(isClock(createTestClock()));
 * assert.equal(isClock({ setTimeout, clearTimeout }), false);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function isClock(value: unknown): value is Clock {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Clock).now === 'function' &&
    typeof (value as Clock).setTimeout === 'function' &&
    typeof (value as Clock).clearTimeout === 'function'
  );
}
