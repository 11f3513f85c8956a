/**
 * A clock tests step by hand, so supervisor timing (intensity windows, shutdown timeouts,
 * readiness timeouts) is tested without sleeping.
 *
 * @module
 */
import type { Clock } from '../clock.js';

/**
 * A {@link Clock} whose time moves only when a test calls {@link TestClock.advance}.
 *
 * @remarks
 * Timers fire in due order, synchronously, inside {@link TestClock.advance}; `pending()` counts the
 * timers not yet fired. Pass it as the `clock` of `startSupervisor` so restart delays, shutdown
 * timeouts and intensity periods run without sleeping.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestClock, type TestClock } from '@trellis/core/testing';
 * const clock: TestClock = createTestClock();
 * let fired = false;
 * clock.setTimeout(() => (fired = true), 1_000);
 * assert.equal(clock.pending(), 1);
 * clock.advance(1_000);
 * assert.ok(fired);
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export interface TestClock extends Clock {
  /** Moves time forward, firing every timer that falls due, in order of due time. */
  advance(ms: number): void;
  /** Timers scheduled and not yet fired or cleared. */
  pending(): number;
}

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * Makes a {@link TestClock} starting at `start` milliseconds.
 *
 * @remarks
 * Give it to {@link startSupervisor} (`{ clock }`): the whole tree, XState delays included,
 * reads time from it. Timers that fall due during {@link TestClock.advance} run synchronously,
 * each seeing `now()` equal to its own due time; timers they schedule within the advanced span
 * fire too.
 *
 * @param start - the initial reading, default 0.
 * @returns the clock.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { createTestClock } from '@trellis/core/testing';
 * const clock = createTestClock();
 * let fired = 0;
 * clock.setTimeout(() => fired++, 100);
 * clock.advance(99);
 * assert.equal(fired, 0);
 * clock.advance(1);
 * assert.equal(fired, 1);
 * ```
 *
 * @category testing
 * @since 0.1.0
 */
export function createTestClock(start = 0): TestClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { id, at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let next: Timer | undefined;
        for (const timer of timers.values()) {
          if (timer.at <= until && (next === undefined || timer.at < next.at || (timer.at === next.at && timer.id < next.id))) next = timer;
        }
        if (next === undefined) break;
        timers.delete(next.id);
        now = next.at;
        next.fn();
      }
      now = until;
    },
    pending: () => timers.size,
  };
}
