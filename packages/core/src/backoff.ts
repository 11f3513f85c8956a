/**
 * Backoff between automatic restarts of one child (DESIGN §2.1, §4), as pure arithmetic: the
 * delay of the n-th attempt, and the small state that decides when n starts again from 0. The
 * supervisor owns the timers; this module only says how long they should be.
 *
 * @module
 */
import type { Backoff } from './types.js';

/**
 * The delay before automatic restart attempt `n` of a child with this {@link Backoff}.
 *
 * @remarks
 * `min(maxMs, minMs * factor ** n) * (1 + random() * jitter)`: the first automatic restart
 * (`n = 0`) already waits `minMs`, each later attempt waits `factor` times longer up to
 * `maxMs`, and jitter adds up to `jitter` (a fraction: 0.2 is up to +20 %) on top, so the
 * result lies in `[min(maxMs, minMs * factor ** n), maxMs * (1 + jitter))`. This is Akka's
 * `restartWithBackoff(min, max, randomFactor)` with a configurable factor; OTP itself restarts
 * at once (its backoff PR #1287 was never merged), which is why a spec without `backoff` keeps
 * OTP parity. `random` is injected so the result is reproducible: give it `Math.random` in
 * production and a seeded source in tests. A `minMs` of 0 always gives 0, however large `n`.
 *
 * @param backoff - the child's backoff, as {@link childSpec} validated it.
 * @param n - the attempt: 0 for the first automatic restart since the last reset.
 * @param random - returns a number in `[0, 1)`; read once.
 * @returns the delay in milliseconds.
 * @throws RangeError when `n` is not a non-negative integer.
 *
 * @example The first three delays, without and with jitter
 * ```ts
 * import assert from 'node:assert/strict';
 * import { backoffDelay } from '@trellis/core';
 * const backoff = { minMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5, resetAfterMs: 10_000 };
 * assert.deepEqual([0, 1, 2, 5].map((n) => backoffDelay(backoff, n, () => 0)), [100, 200, 400, 1_000]);
 * assert.equal(backoffDelay(backoff, 0, () => 0.5), 125); // 100 ms plus half of the 50 % jitter
 * ```
 *
 * @see {@link nextAttempt} for when `n` goes back to 0.
 * @category models
 * @since 0.1.0
 */
export function backoffDelay(backoff: Backoff, n: number, random: () => number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`backoffDelay: attempt n must be a non-negative integer, got ${String(n)}.`);
  const { minMs, maxMs, factor, jitter } = backoff;
  // `minMs === 0` first: 0 * factor ** n is NaN once factor ** n overflows to Infinity.
  const grown = minMs === 0 ? 0 : minMs * factor ** n;
  const base = Math.min(maxMs, grown);
  return jitter === 0 ? base : base * (1 + random() * jitter);
}

/**
 * Where one child stands in its backoff: the attempt number of its next automatic restart and
 * when its running incarnation started.
 *
 * @remarks
 * A plain immutable record: {@link backoffStarted} and {@link nextAttempt} return new ones.
 * Start from {@link initialBackoffState}.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { backoffStarted, initialBackoffState, type BackoffState } from '@trellis/core';
 * const state: BackoffState = backoffStarted(initialBackoffState, 1_000);
 * assert.deepEqual(state, { attempt: 0, startedAt: 1_000 });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface BackoffState {
  /** The `n` the next automatic restart will use, unless the child has run long enough to reset it. */
  readonly attempt: number;
  /** When the running incarnation started, in clock milliseconds; `undefined` while none runs. */
  readonly startedAt: number | undefined;
}

/**
 * One step of {@link nextAttempt}: the attempt to use now and the state after it.
 *
 * @remarks
 * `n` is the exponent for {@link backoffDelay}: 0 when the child ran for at least `resetAfterMs`
 * since its last start, else the attempt count so far. `state` replaces the previous state.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { initialBackoffState, nextAttempt, type BackoffStep } from '@trellis/core';
 * const step: BackoffStep = nextAttempt(initialBackoffState, 0, { resetAfterMs: 60_000 });
 * assert.equal(step.n, 0);
 * assert.equal(step.state.attempt, 1);
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export interface BackoffStep {
  /** The `n` to give {@link backoffDelay} for this restart. */
  readonly n: number;
  /** The state to keep until the next start or exit. */
  readonly state: BackoffState;
}

/**
 * The backoff state of a child that has not restarted yet: attempt 0, nothing running.
 *
 * @remarks
 * Frozen, so it can be shared by every child.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { initialBackoffState } from '@trellis/core';
 * assert.deepEqual(initialBackoffState, { attempt: 0, startedAt: undefined });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export const initialBackoffState: BackoffState = Object.freeze({ attempt: 0, startedAt: undefined });

/**
 * Records that an incarnation of the child has started at `now`.
 *
 * @remarks
 * Call it when a start attempt succeeds, not when it is tried: a failed start never ran, so it
 * can never earn a reset.
 *
 * @param state - the child's backoff state.
 * @param now - the clock's reading, in milliseconds.
 * @returns the new state, with `startedAt` set and the attempt unchanged.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { backoffStarted, initialBackoffState } from '@trellis/core';
 * assert.deepEqual(backoffStarted(initialBackoffState, 1_000), { attempt: 0, startedAt: 1_000 });
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function backoffStarted(state: BackoffState, now: number): BackoffState {
  return { attempt: state.attempt, startedAt: now };
}

/**
 * Decides the attempt number of an automatic restart that is due at `now`, and advances the
 * state.
 *
 * @remarks
 * DESIGN §2.1: `n` returns to 0 once the child has run `resetAfterMs` without exiting. So when
 * the incarnation that just exited had started at least `resetAfterMs` before `now` (inclusive,
 * as OTP's window edge), this restart uses `n = 0`; otherwise it uses the stored attempt. Either
 * way the next restart will use one more, and `startedAt` is cleared until
 * {@link backoffStarted} is called again. A retry after a failed start goes through here too and
 * keeps growing, since nothing ran. This is the reset rule of Akka's `resetBackoffAfter` and
 * PM2's `exp_backoff_restart_delay`, decided from timestamps instead of a timer.
 *
 * @param state - the child's backoff state.
 * @param now - the clock's reading when the restart is decided, in milliseconds.
 * @param backoff - the child's backoff (only `resetAfterMs` is read).
 * @returns the attempt to use and the state after it.
 *
 * @example A child that crashes fast backs off; one that ran long enough starts over
 * ```ts
 * import assert from 'node:assert/strict';
 * import { backoffDelay, backoffStarted, initialBackoffState, nextAttempt } from '@trellis/core';
 * const backoff = { minMs: 100, maxMs: 10_000, factor: 2, jitter: 0, resetAfterMs: 5_000 };
 * let state = backoffStarted(initialBackoffState, 0);
 * const delays: number[] = [];
 * for (const exitAt of [10, 120, 330, 9_000]) {
 *   const step = nextAttempt(state, exitAt, backoff);
 *   const delay = backoffDelay(backoff, step.n, Math.random);
 *   delays.push(delay);
 *   state = backoffStarted(step.state, exitAt + delay); // the restart happens after the delay
 * }
 * assert.deepEqual(delays, [100, 200, 400, 100]); // the last incarnation ran for over 5 s
 * ```
 *
 * @category models
 * @since 0.1.0
 */
export function nextAttempt(state: BackoffState, now: number, backoff: Pick<Backoff, 'resetAfterMs'>): BackoffStep {
  const ranLongEnough = state.startedAt !== undefined && now - state.startedAt >= backoff.resetAfterMs;
  const n = ranLongEnough ? 0 : state.attempt;
  return { n, state: { attempt: n + 1, startedAt: undefined } };
}
