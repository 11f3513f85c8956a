/**
 * Restart budgets: what a supervisor does when children keep failing. OTP's intensity window
 * gives up and escalates (the default, {@link intensityBudget}); suture's decaying failure
 * counter pauses restarts for a while and then keeps trying ({@link DecayingRestartBudget}).
 * Both are pure: time comes in as an argument and no timer is set here.
 *
 * @module
 */
import { RestartWindow } from './intensity.js';

/**
 * What a supervisor does with one automatic restart that is due.
 *
 * @remarks
 * `restart`: go ahead. `pause`: hold this restart (and any other that falls due) until the clock
 * reads `resumeAt`, then restart what is held. `give_up`: OTP's
 * `reached_max_restart_intensity`: stop every child in reverse start order and exit `shutdown`.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { intensityBudget, type RestartVerdict } from '@trellis/core';
 * const budget = intensityBudget(1, 5_000);
 * const first: RestartVerdict = budget.add(0);
 * const second: RestartVerdict = budget.add(10);
 * assert.equal(first.action, 'restart');
 * assert.equal(second.action, 'give_up');
 * ```
 *
 * @category intensity
 * @since 0.1.0
 */
export type RestartVerdict =
  | {
      /** Restart now. */
      readonly action: 'restart';
    }
  | {
      /** Hold restarts until `resumeAt`. */
      readonly action: 'pause';
      /** The clock reading, in milliseconds, from which restarts may go on. */
      readonly resumeAt: number;
    }
  | {
      /** Give up: stop every child and exit `shutdown` with `reached_max_restart_intensity`. */
      readonly action: 'give_up';
    };

/**
 * A supervisor's restart budget: asked once per automatic restart attempt, it answers with a
 * {@link RestartVerdict}.
 *
 * @remarks
 * Counted exactly where OTP's `add_restart/3` counts (OTP-SEMANTICS §1.5): before every
 * automatic restart, every retry of a failed restart, and once per group restart; never for
 * manual commands.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { defineSupervisor, type RestartBudget } from '@trellis/core';
 * const never: RestartBudget = { add: () => ({ action: 'give_up' }) };
 * assert.ok(defineSupervisor({ id: 'root', children: [], restartBudget: () => never }));
 * ```
 *
 * @category intensity
 * @since 0.1.0
 */
export interface RestartBudget {
  /**
   * Records one restart attempt at `now` and says what to do with it.
   *
   * @param now - the clock's reading, in milliseconds; never smaller than the last one given.
   * @returns the verdict.
   */
  add(now: number): RestartVerdict;
  /**
   * How much of the budget is used at `now`, without counting an attempt; optional, so a
   * hand-written budget need not answer (then {@link restartBudgetUsage} returns `undefined`).
   *
   * @param now - the clock's reading, in milliseconds.
   * @returns the usage.
   */
  usage?(now: number): RestartBudgetUsage;
}

/**
 * How much of a supervisor's restart budget is used: read by {@link restartBudgetUsage}.
 *
 * @remarks
 * For OTP's intensity window (the default), `used` is the restarts inside the window now and
 * `limit` the intensity: one more restart than `limit` gives up. For
 * {@link DecayingRestartBudget}, `used` is the decayed failure count and `limit` its threshold.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { intensityBudget, type RestartBudgetUsage } from '@trellis/core';
 * const budget = intensityBudget(3, 5_000);
 * budget.add(0);
 * const usage: RestartBudgetUsage | undefined = budget.usage?.(1_000);
 * assert.deepEqual(usage, { used: 1, limit: 3 });
 * ```
 *
 * @category intensity
 * @since 0.1.0
 */
export interface RestartBudgetUsage {
  /** Restarts (or the decayed failure count) counted against the budget now. */
  readonly used: number;
  /** What `used` may reach: the intensity, or the decaying budget's threshold. */
  readonly limit: number;
}

const RESTART: RestartVerdict = Object.freeze({ action: 'restart' });
const GIVE_UP: RestartVerdict = Object.freeze({ action: 'give_up' });

/**
 * OTP's restart intensity as a {@link RestartBudget}: more than `intensity` restarts within
 * `periodMs` gives up.
 *
 * @remarks
 * A thin adapter over {@link RestartWindow} (OTP `add_restart/3`, inclusive sliding window), so
 * a supervisor can hold either kind of budget behind one interface. It never answers `pause`.
 * This is the default and the only behaviour OTP has.
 *
 * @param intensity - restarts allowed within `periodMs` (OTP's MaxR); 0 gives up at once.
 * @param periodMs - the sliding window, in milliseconds (OTP's MaxT).
 * @returns a fresh budget.
 *
 * @example Intensity 1: the second restart within 5 s gives up
 * ```ts
 * import assert from 'node:assert/strict';
 * import { intensityBudget } from '@trellis/core';
 * const budget = intensityBudget(1, 5_000);
 * assert.deepEqual(budget.add(0), { action: 'restart' });
 * assert.deepEqual(budget.add(4_000), { action: 'give_up' });
 * ```
 *
 * @category intensity
 * @since 0.1.0
 */
export function intensityBudget(intensity: number, periodMs: number): RestartBudget {
  const window = new RestartWindow(intensity, periodMs);
  return { add: (now) => (window.add(now) ? GIVE_UP : RESTART), usage: (now) => ({ used: window.used(now), limit: intensity }) };
}

/**
 * Options of {@link DecayingRestartBudget}; every field has suture v4's default.
 *
 * @remarks
 * Every field is optional, with suture v4's defaults: `threshold` failures (default 5) are allowed
 * before a pause, each failure's weight decays by half every `decayMs` (default 30 s), a pause
 * lasts `pauseMs` (default 15 s) stretched by up to `jitter` of itself, and `random` is the source
 * of that jitter (default `Math.random`).
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { DecayingRestartBudget, type DecayingBudgetOptions } from '@trellis/core';
 * const options: DecayingBudgetOptions = { threshold: 2, decayMs: 1_000, pauseMs: 500, jitter: 0 };
 * const budget = new DecayingRestartBudget(options);
 * assert.equal(budget.add(0).action, 'restart');
 * ```
 *
 * @category intensity
 * @since 0.1.0
 */
export interface DecayingBudgetOptions {
  /** Restarts pause once the failure count is above this. Default 5; a positive number. */
  readonly threshold?: number;
  /** The half-life of the failure count, in milliseconds. Default 30 000; positive. */
  readonly decayMs?: number;
  /** How long restarts pause, in milliseconds, before jitter. Default 15 000; at least 0. */
  readonly pauseMs?: number;
  /** Up to this fraction is added to each pause at random (0.5 is up to +50 %). Default 0; at least 0. */
  readonly jitter?: number;
  /** Returns a number in `[0, 1)`; read only when `jitter` is above 0. Default `Math.random`. */
  readonly random?: () => number;
}

function check(name: string, value: number, ok: boolean, rule: string): number {
  if (!ok || !Number.isFinite(value)) throw new RangeError(`DecayingRestartBudget: ${name} ${rule}, got ${String(value)}.`);
  return value;
}

/**
 * suture's decaying failure counter as a {@link RestartBudget}: a failure count that halves
 * every `decayMs`; above `threshold`, restarts pause for `pauseMs` and then carry on.
 *
 * @remarks
 * Each restart attempt does `failures = failures * 0.5 ** (Δt / decayMs) + 1`, where Δt is the
 * time since the previous attempt (the first attempt sets it to 1). When the count is above
 * `threshold` the answer is `pause` until `now + pauseMs * (1 + random() * jitter)`; an attempt
 * that arrives during the pause is still counted and, when still above the threshold, pushes
 * the end of the pause out again (as suture resets its resume timer). The first attempt at or
 * after the end of a pause starts from a count of 0, as suture's resume does. The budget never
 * answers `give_up`. suture v4 `handleFailedService`, defaults `FailureThreshold` 5,
 * `FailureDecay` 30 s, `FailureBackoff` 15 s.
 *
 * **Choosing a budget.** OTP's intensity window ({@link intensityBudget}, the default) is right
 * for almost every supervisor: a child that keeps crashing means that this part of the tree
 * cannot work in its present state, so the supervisor gives up, its parent restarts the whole
 * subtree from a clean state, and if that does not help the failure escalates to the top and
 * the program stops. Escalation is the point: errors stay loud and fresh state is tried at
 * every level. Choose the decaying counter where giving up buys nothing: at the top of a tree,
 * or for a subtree that depends on something outside the program (a database, a broker, a
 * remote API) that may be down for minutes. Restarting the parent cannot fix that dependency,
 * and escalating would take healthy siblings down with it; pausing and retrying keeps the rest
 * of the tree serving and recovers by itself once the dependency is back. The cost is that the
 * supervisor never reports failure upward, so watch its pause facts or logs instead.
 *
 * @example A flapping dependency pauses restarts, then they resume
 * ```ts
 * import assert from 'node:assert/strict';
 * import { DecayingRestartBudget } from '@trellis/core';
 * const budget = new DecayingRestartBudget({ threshold: 2, decayMs: 10_000, pauseMs: 1_000 });
 * assert.deepEqual(budget.add(0), { action: 'restart' }); // count 1
 * assert.deepEqual(budget.add(0), { action: 'restart' }); // count 2
 * assert.deepEqual(budget.add(0), { action: 'pause', resumeAt: 1_000 }); // count 3 > 2
 * assert.equal(budget.isPaused(500), true);
 * assert.deepEqual(budget.add(1_000), { action: 'restart' }); // the pause is over: count 1
 * assert.equal(budget.failures(21_000), 0.25); // two half-lives later
 * ```
 *
 * @category intensity
 * @since 0.1.0
 */
export class DecayingRestartBudget implements RestartBudget {
  /** Restarts pause once the failure count is above this. */
  readonly threshold: number;
  /** The half-life of the failure count, in milliseconds. */
  readonly decayMs: number;
  /** How long restarts pause, in milliseconds, before jitter. */
  readonly pauseMs: number;
  /** The fraction of random time added to a pause. */
  readonly jitter: number;
  private readonly random: () => number;
  private count = 0;
  private lastFailAt: number | undefined;
  private resumeAt: number | undefined;

  /**
   * Makes a budget with no failures counted.
   *
   * @param options - threshold, half-life, pause, jitter and random source.
   * @throws RangeError when an option breaks its rule (`threshold` and `decayMs` positive,
   *   `pauseMs` and `jitter` at least 0, all finite).
   */
  constructor(options: DecayingBudgetOptions = {}) {
    const { threshold = 5, decayMs = 30_000, pauseMs = 15_000, jitter = 0, random = Math.random } = options;
    this.threshold = check('threshold', threshold, threshold > 0, 'must be a positive number');
    this.decayMs = check('decayMs', decayMs, decayMs > 0, 'must be a positive number of milliseconds');
    this.pauseMs = check('pauseMs', pauseMs, pauseMs >= 0, 'must be a non-negative number of milliseconds');
    this.jitter = check('jitter', jitter, jitter >= 0, 'must be a non-negative fraction');
    this.random = random;
  }

  /**
   * The decayed failure count at `now` against the threshold; nothing is recorded.
   *
   * @param now - the clock's reading, in milliseconds.
   * @returns `{ used: failures(now), limit: threshold }`.
   */
  usage(now: number): RestartBudgetUsage {
    return { used: this.failures(now), limit: this.threshold };
  }

  /**
   * The failure count as it stands at `now`, decayed since the last attempt; nothing is recorded.
   *
   * @param now - the clock's reading, in milliseconds.
   * @returns the decayed count (0 when nothing has failed, or after a pause has ended).
   */
  failures(now: number): number {
    if (this.lastFailAt === undefined) return 0;
    if (this.resumeAt !== undefined && now >= this.resumeAt) return 0; // the next attempt starts over
    return this.count * 0.5 ** (Math.max(0, now - this.lastFailAt) / this.decayMs);
  }

  /**
   * Whether restarts are paused at `now`.
   *
   * @param now - the clock's reading, in milliseconds.
   * @returns `true` from the attempt that crossed the threshold until its `resumeAt`.
   */
  isPaused(now: number): boolean {
    return this.resumeAt !== undefined && now < this.resumeAt;
  }

  /**
   * Records one restart attempt at `now`: decays the count, adds 1, and pauses when it is above
   * the threshold.
   *
   * @param now - the clock's reading, in milliseconds; never smaller than the last one given.
   * @returns `restart`, or `pause` with the time restarts may go on again.
   */
  add(now: number): RestartVerdict {
    if (this.resumeAt !== undefined && now >= this.resumeAt) {
      // The pause is over: suture resumes from a count of 0.
      this.resumeAt = undefined;
      this.count = 0;
      this.lastFailAt = undefined;
    }
    this.count = this.lastFailAt === undefined ? 1 : this.count * 0.5 ** (Math.max(0, now - this.lastFailAt) / this.decayMs) + 1;
    this.lastFailAt = now;
    if (this.count > this.threshold) {
      const pause = this.jitter === 0 ? this.pauseMs : this.pauseMs * (1 + this.random() * this.jitter);
      this.resumeAt = now + pause;
      return { action: 'pause', resumeAt: this.resumeAt };
    }
    if (this.resumeAt !== undefined) return { action: 'pause', resumeAt: this.resumeAt };
    return RESTART;
  }
}
