/**
 * OTP's restart intensity (`add_restart/3`) in amortised O(1): the restart times still inside the
 * window, oldest first, instead of OTP 25's list rebuilt on every restart, with the same
 * accept/reject decisions.
 *
 * @module
 */

/**
 * The restart history of one supervisor.
 *
 * @remarks
 * OTP gives up when, counting the new restart, more than `intensity` restarts fall within the
 * window `[now - period, now]` (inclusive). The history keeps only the restarts still inside
 * that window, so its size is bounded by both `intensity` and the number of restarts in one
 * period: a supervisor with a huge intensity and a short period (a child that flaps for weeks
 * under a "never give up" budget) holds a handful of timestamps, not one per restart ever made.
 * Expired times are skipped by moving a start index and dropped in one copy once they are the
 * larger half, so each restart costs amortised O(1) and allocates nothing in the steady state.
 *
 * @example
 * ```ts
 * import assert from 'node:assert/strict';
 * import { RestartWindow } from '@trellis/core';
 * const window = new RestartWindow(1, 5000);
 * assert.equal(window.add(0), false); // first restart: allowed
 * assert.equal(window.add(4000), true); // second within 5 s: gives up
 * ```
 *
 * @category intensity
 * @since 0.1.0
 */
export class RestartWindow {
  /** Restarts allowed within `periodMs`; one more gives up. */
  readonly intensity: number;
  /** The width of the sliding window, in milliseconds, inclusive at its edge. */
  readonly periodMs: number;
  /** Restart times, oldest first; those before `first` have left the window. */
  private readonly times: number[] = [];
  /** Index of the oldest restart still inside the window. */
  private first = 0;

  /**
   * Makes an empty restart history.
   *
   * @param intensity - restarts allowed within `periodMs` (OTP's MaxR); 0 gives up on the first restart.
   * @param periodMs - the window, in milliseconds (OTP's MaxT).
   */
  constructor(intensity: number, periodMs: number) {
    this.intensity = intensity;
    this.periodMs = periodMs;
  }

  /**
   * Records a restart at `now` and tells whether it exceeds the intensity.
   *
   * @param now - the clock's reading, in milliseconds.
   * @returns `true` when the supervisor must give up.
   */
  add(now: number): boolean {
    const { intensity, times } = this;
    if (intensity === 0) return true;
    const edge = now - this.periodMs;
    let first = this.first;
    while (first < times.length && (times[first] as number) < edge) first += 1;
    // Counting this restart, more than `intensity` inside the window: give up (nothing recorded,
    // the supervisor is gone).
    if (times.length - first >= intensity) {
      this.first = first;
      return true;
    }
    // Expired times are the larger half: drop them in one copy, so memory follows the window.
    if (first > 0 && first * 2 >= times.length) {
      times.splice(0, first);
      first = 0;
    }
    this.first = first;
    times.push(now);
    return false;
  }

  /**
   * How many restarts fall inside the window `[now - periodMs, now]`, without recording one:
   * a read for gauges, so it never changes what {@link RestartWindow.add} decides.
   *
   * @param now - the clock's reading, in milliseconds.
   * @returns the restarts counted against `intensity` at `now`.
   */
  used(now: number): number {
    const edge = now - this.periodMs;
    let n = 0;
    for (let i = this.times.length - 1; i >= this.first && (this.times[i] as number) >= edge; i -= 1) n += 1;
    return n;
  }

  /**
   * How many restart times the history holds: those inside the window (fewer than `intensity`)
   * plus fewer expired ones not yet dropped, so at most twice one window's worth.
   */
  get size(): number {
    return this.times.length;
  }
}
