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

  it('holds at most intensity timestamps however many restarts it sees', () => {
    const ring = new RestartWindow(3, 10);
    for (let t = 0; t < 10_000; t += 100) expect(ring.add(t)).toBe(false);
    expect(ring.size).toBe(3);
  });

  it('allocates nothing up front for a huge intensity', () => {
    const ring = new RestartWindow(1_000_000_000, 1);
    expect(ring.size).toBe(0);
    ring.add(0);
    expect(ring.size).toBe(1);
  });
});
