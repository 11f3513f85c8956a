/**
 * OTP's restart intensity (`add_restart/3`) in O(1): a ring of the last `intensity` restart
 * times instead of OTP 25's growing list, with the same accept/reject decisions.
 *
 * @module
 */

/**
 * The restart history of one supervisor.
 *
 * @remarks
 * OTP gives up when, counting the new restart, more than `intensity` restarts fall within the
 * window `[now - period, now]` (inclusive). That is the case exactly when the `intensity`-th
 * most recent earlier restart is still inside the window, so a ring holding the last
 * `intensity` timestamps decides in O(1). The ring grows on demand up to `intensity` slots, so
 * a huge intensity costs nothing until restarts happen.
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
  private readonly times: number[] = [];
  /** Index of the oldest entry once the ring is full. */
  private head = 0;

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
    if (times.length < intensity) {
      times.push(now);
      return false;
    }
    // The ring is full: `times[head]` is the intensity-th most recent restart.
    const oldest = times[this.head] as number;
    if (oldest >= now - this.periodMs) return true;
    times[this.head] = now;
    this.head = (this.head + 1) % intensity;
    return false;
  }

  /** How many restarts the ring holds (at most `intensity`). */
  get size(): number {
    return this.times.length;
  }
}
