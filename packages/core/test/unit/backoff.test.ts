// DESIGN §2.1 and §4: backoff delays, min(maxMs, minMs * factor ** n) * (1 + random * jitter),
// and the reset of n after resetAfterMs of uninterrupted running.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, backoffStarted, initialBackoffState, nextAttempt, type BackoffState } from '../../src/backoff.js';
import type { Backoff } from '../../src/types.js';

const FC = { numRuns: 1_000, seed: 20261124 } as const;

const backoffArb: fc.Arbitrary<Backoff> = fc
  .record({
    minMs: fc.integer({ min: 0, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 1_000_000 }),
    factor: fc.double({ min: 1, max: 10, noNaN: true }),
    jitter: fc.double({ min: 0, max: 2, noNaN: true }),
    resetAfterMs: fc.integer({ min: 0, max: 100_000 }),
  })
  .map(({ minMs, extra, factor, jitter, resetAfterMs }) => ({ minMs, maxMs: minMs + extra, factor, jitter, resetAfterMs }));

/** A seeded source in [0, 1), as fast-check draws it. */
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoffDelay', () => {
  const b: Backoff = { minMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5, resetAfterMs: 0 };
  it.each([
    [0, 0, 100],
    [1, 0, 200],
    [2, 0, 400],
    [3, 0, 800],
    [4, 0, 1_000],
    [60, 0, 1_000],
    [5_000, 0, 1_000], // 2 ** 5000 overflows to Infinity: still capped
    [0, 0.5, 125],
    [3, 0.999, 800 * (1 + 0.999 * 0.5)],
    [4, 0.5, 1_250],
  ])('attempt %i with random %d waits %d ms', (n, r, expected) => {
    expect(backoffDelay(b, n, () => r)).toBeCloseTo(expected, 9);
  });

  it('waits minMs on the first automatic restart', () => {
    expect(backoffDelay({ minMs: 250, maxMs: 250, factor: 1, jitter: 0, resetAfterMs: 0 }, 0, () => 0.7)).toBe(250);
  });

  it('gives 0 for minMs 0 however large n is (no NaN from 0 * Infinity)', () => {
    expect(backoffDelay({ minMs: 0, maxMs: 5_000, factor: 3, jitter: 0.2, resetAfterMs: 0 }, 10_000, () => 0.5)).toBe(0);
  });

  it('does not read random when jitter is 0', () => {
    let reads = 0;
    backoffDelay({ minMs: 1, maxMs: 10, factor: 2, jitter: 0, resetAfterMs: 0 }, 2, () => {
      reads++;
      return 0.5;
    });
    expect(reads).toBe(0);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects attempt %d', (n) => {
    expect(() => backoffDelay(b, n, () => 0)).toThrow(new RangeError(`backoffDelay: attempt n must be a non-negative integer, got ${String(n)}.`));
  });

  it('is monotone in n without jitter', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 0, max: 200 }), (backoff, n) => {
        const plain = { ...backoff, jitter: 0 };
        expect(backoffDelay(plain, n + 1, () => 0)).toBeGreaterThanOrEqual(backoffDelay(plain, n, () => 0));
      }),
      FC,
    );
  });

  it('stays within [min(maxMs, minMs), maxMs * (1 + jitter)]', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 0, max: 2_000 }), randomArb, (backoff, n, r) => {
        const delay = backoffDelay(backoff, n, () => r);
        expect(Number.isFinite(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(backoff.minMs);
        expect(delay).toBeLessThanOrEqual(backoff.maxMs * (1 + backoff.jitter));
      }),
      FC,
    );
  });

  it('adds at most the jitter fraction on top of the un-jittered delay', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 0, max: 100 }), randomArb, (backoff, n, r) => {
        const base = backoffDelay({ ...backoff, jitter: 0 }, n, () => 0);
        const delay = backoffDelay(backoff, n, () => r);
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(base * (1 + backoff.jitter) + 1e-9);
      }),
      FC,
    );
  });
});

describe('nextAttempt', () => {
  const b = { resetAfterMs: 1_000 };

  it('counts up while the child keeps exiting before resetAfterMs', () => {
    let state: BackoffState = backoffStarted(initialBackoffState, 0);
    const ns: number[] = [];
    for (let t = 10; t < 100; t += 10) {
      const step = nextAttempt(state, t, b);
      ns.push(step.n);
      state = backoffStarted(step.state, t + 1);
    }
    expect(ns).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it.each([
    ['ran exactly resetAfterMs (inclusive)', 5_000, 6_000, 0],
    ['ran longer than resetAfterMs', 5_000, 60_000, 0],
    ['ran 1 ms short of resetAfterMs', 5_000, 5_999, 4],
  ])('resets n to 0 only when the child %s', (_what, startedAt, now, expected) => {
    const state = backoffStarted({ attempt: 4, startedAt: undefined }, startedAt);
    expect(nextAttempt(state, now, b)).toEqual({ n: expected, state: { attempt: expected + 1, startedAt: undefined } });
  });

  it('keeps counting across failed starts, which never ran', () => {
    // Exit, then two retries whose starts fail: backoffStarted is never called in between.
    const first = nextAttempt(backoffStarted(initialBackoffState, 0), 5, b);
    const second = nextAttempt(first.state, 50_000, b);
    const third = nextAttempt(second.state, 100_000, b);
    expect([first.n, second.n, third.n]).toEqual([0, 1, 2]);
  });

  it('does not mutate the state it is given', () => {
    const state = Object.freeze(backoffStarted(initialBackoffState, 0));
    expect(() => nextAttempt(state, 1, b)).not.toThrow();
    expect(initialBackoffState).toEqual({ attempt: 0, startedAt: undefined });
  });

  it('model: n is the number of restarts since the last incarnation that ran resetAfterMs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        fc.array(fc.record({ ran: fc.integer({ min: 0, max: 10_000 }), failedStarts: fc.integer({ min: 0, max: 3 }) }), { maxLength: 40 }),
        (resetAfterMs, runs) => {
          let state = initialBackoffState;
          let now = 0;
          let expected = 0;
          for (const { ran, failedStarts } of runs) {
            state = backoffStarted(state, now);
            now += ran;
            if (ran >= resetAfterMs) expected = 0;
            let step = nextAttempt(state, now, { resetAfterMs });
            expect(step.n).toBe(expected);
            expected++;
            for (let i = 0; i < failedStarts; i++) {
              now += 1;
              step = nextAttempt(step.state, now, { resetAfterMs });
              expect(step.n).toBe(expected);
              expected++;
            }
            state = step.state;
          }
        },
      ),
      FC,
    );
  });
});
