// OTP-SEMANTICS §1.5: the ring gives exactly the decisions of OTP's list algorithm.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartWindow } from '@trellis/core';

/** OTP 25's add_restart/3, literally: keep restarts within the window, add now, give up when too many. */
function otpModel(intensity: number, periodMs: number) {
  let restarts: number[] = [];
  return (now: number): boolean => {
    restarts = [now, ...restarts.filter((r) => r >= now - periodMs)];
    return restarts.length > intensity;
  };
}

describe('RestartWindow', () => {
  it('agrees with OTP list algorithm on every sequence of restart times', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 60 }),
        (intensity, periodMs, gaps) => {
          const ring = new RestartWindow(intensity, periodMs);
          const model = otpModel(intensity, periodMs);
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const expected = model(now);
            expect(ring.add(now)).toBe(expected);
            if (expected) return; // the supervisor is gone after the first give-up
          }
        },
      ),
      { numRuns: 2_000, seed: 20261124 },
    );
  });

  it('holds only the restarts of the current window however many restarts it sees', () => {
    const ring = new RestartWindow(3, 10);
    for (let t = 0; t < 10_000; t += 100) expect(ring.add(t)).toBe(false);
    expect(ring.size).toBe(1); // every earlier restart is more than 10 ms old
  });

  it('forgets restarts that left the window, so a huge intensity with a short period stays small', () => {
    // A child flapping for weeks under a "never give up" budget (issue 20's leak: the history
    // used to keep one timestamp per restart ever made, up to `intensity` of them).
    // One assertion after the loop: 200,000 `expect` calls took over 10 s in a loaded CI run.
    const ring = new RestartWindow(1_000_000_000, 1);
    let gaveUp = 0;
    for (let t = 0; t < 200_000; t += 1) if (ring.add(t * 2)) gaveUp++;
    expect(gaveUp).toBe(0);
    expect(ring.size).toBeLessThanOrEqual(2);
  });

  it('keeps at most about twice one window of restarts while restarts keep expiring', () => {
    const ring = new RestartWindow(1_000, 100);
    let most = 0;
    let gaveUp = 0;
    for (let t = 0; t < 50_000; t += 1) {
      if (ring.add(t)) gaveUp++; // 101 restarts per window, far below 1,000
      most = Math.max(most, ring.size);
    }
    expect(gaveUp).toBe(0);
    expect(most).toBeLessThanOrEqual(2 * 101 + 1);
  });

  it('allocates nothing up front for a huge intensity', () => {
    const ring = new RestartWindow(1_000_000_000, 1);
    expect(ring.size).toBe(0);
    ring.add(0);
    expect(ring.size).toBe(1);
  });
});

describe('RestartWindow edges (mutation testing found these unchecked)', () => {
  it('keeps a restart exactly periodMs old inside the window, and forgets it 1 ms later', () => {
    // Inclusive edge, t >= now - periodMs (decision 0003 point 1): a property test with random
    // gaps almost never lands on it, so it is stated here.
    const atEdge = new RestartWindow(1, 1_000);
    expect(atEdge.add(0)).toBe(false);
    expect(atEdge.add(1_000)).toBe(true);
    const past = new RestartWindow(1, 1_000);
    expect(past.add(0)).toBe(false);
    expect(past.add(1_001)).toBe(false);
  });

  it('drops expired restarts in one copy once they are at least half of those held, and not before', () => {
    // The amortised O(1) bookkeeping: size is what the window holds, expired entries included.
    const half = new RestartWindow(10, 10);
    half.add(0);
    half.add(5);
    half.add(11); // 0 expired: 1 of 2 held is half, dropped before 11 is added
    expect(half.size).toBe(2);
    const less = new RestartWindow(10, 10);
    less.add(0);
    less.add(5);
    less.add(6);
    less.add(11); // 0 expired: 1 of 3 is less than half, kept until later
    expect(less.size).toBe(4);
  });
});

describe('RestartWindow.used', () => {
  it('is inclusive at the window edge, as add is', () => {
    const ring = new RestartWindow(3, 1_000);
    ring.add(0);
    expect(ring.used(1_000)).toBe(1);
    expect(ring.used(1_001)).toBe(0);
  });

  it('counts exactly the restarts OTP would keep in the window, and changes no decision', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 60 }),
        (intensity, periodMs, gaps) => {
          const ring = new RestartWindow(intensity, periodMs);
          const kept: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            expect(ring.used(now)).toBe(kept.filter((t) => t >= now - periodMs).length);
            if (ring.add(now)) return;
            kept.push(now);
          }
        },
      ),
    );
  });
});
