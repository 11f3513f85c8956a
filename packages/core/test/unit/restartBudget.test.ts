// PEERS §2.1: suture's decaying failure counter, failures = failures * 0.5 ** (Δt / decayMs) + 1,
// as an alternative restart budget that pauses instead of giving up; and OTP's window behind
// the same interface (OTP-SEMANTICS §1.5).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartWindow } from '../../src/intensity.js';
import { DecayingRestartBudget, intensityBudget } from '../../src/restartBudget.js';

const FC = { numRuns: 1_000, seed: 20261124 } as const;

/** suture v4 handleFailedService, literally (times in ms, the pause timer left to the caller). */
function sutureModel(threshold: number, decayMs: number, pauseMs: number) {
  let failures = 0;
  let lastFail: number | undefined;
  let resumeAt: number | undefined;
  return (now: number): 'restart' | 'pause' => {
    if (resumeAt !== undefined && now >= resumeAt) {
      resumeAt = undefined; // the resume timer fired: state normal, failures = 0
      failures = 0;
      lastFail = undefined;
    }
    if (lastFail === undefined) failures = 1;
    else failures = failures * Math.pow(0.5, (now - lastFail) / decayMs) + 1;
    if (failures > threshold) resumeAt = now + pauseMs;
    lastFail = now;
    return resumeAt === undefined ? 'restart' : 'pause';
  };
}

describe('DecayingRestartBudget', () => {
  it('has suture v4 defaults: threshold 5, half-life 30 s, pause 15 s, no jitter', () => {
    const budget = new DecayingRestartBudget();
    expect([budget.threshold, budget.decayMs, budget.pauseMs, budget.jitter]).toEqual([5, 30_000, 15_000, 0]);
    for (let i = 0; i < 5; i++) expect(budget.add(0)).toEqual({ action: 'restart' });
    expect(budget.add(0)).toEqual({ action: 'pause', resumeAt: 15_000 });
  });

  it('decays the count by half every decayMs', () => {
    const budget = new DecayingRestartBudget({ threshold: 100, decayMs: 1_000 });
    budget.add(0);
    budget.add(0);
    budget.add(0);
    budget.add(0);
    expect(budget.failures(0)).toBe(4);
    expect(budget.failures(1_000)).toBe(2);
    expect(budget.failures(3_000)).toBe(0.5);
    budget.add(2_000); // 4 * 0.25 + 1
    expect(budget.failures(2_000)).toBe(2);
  });

  it('reports 0 before any failure', () => {
    expect(new DecayingRestartBudget().failures(123)).toBe(0);
  });

  it('pauses above the threshold, counts failures during the pause, and starts from 0 after it', () => {
    const budget = new DecayingRestartBudget({ threshold: 2, decayMs: 60_000, pauseMs: 1_000 });
    expect(budget.add(0).action).toBe('restart');
    expect(budget.add(0).action).toBe('restart');
    expect(budget.add(100)).toEqual({ action: 'pause', resumeAt: 1_100 });
    expect(budget.isPaused(1_099)).toBe(true);
    // Another child fails during the pause: still above the threshold, so the pause is pushed out.
    expect(budget.add(500)).toEqual({ action: 'pause', resumeAt: 1_500 });
    expect(budget.isPaused(1_100)).toBe(true);
    expect(budget.isPaused(1_500)).toBe(false);
    expect(budget.failures(1_500)).toBe(0);
    expect(budget.add(1_500)).toEqual({ action: 'restart' });
    expect(budget.failures(1_500)).toBe(1);
  });

  it('answers pause, with the running pause, for a failure below the threshold during a pause', () => {
    const budget = new DecayingRestartBudget({ threshold: 1.5, decayMs: 10, pauseMs: 10_000 });
    budget.add(0);
    expect(budget.add(0)).toEqual({ action: 'pause', resumeAt: 10_000 });
    // 100 half-lives later the count is ~1, below 1.5, but the pause still holds.
    expect(budget.add(1_000)).toEqual({ action: 'pause', resumeAt: 10_000 });
  });

  it('adds jitter to the pause from the injected random source', () => {
    const budget = new DecayingRestartBudget({ threshold: 1, pauseMs: 1_000, jitter: 0.5, random: () => 0.5 });
    budget.add(0);
    expect(budget.add(0)).toEqual({ action: 'pause', resumeAt: 1_250 });
  });

  it.each([
    [{ threshold: 0 }],
    [{ threshold: -1 }],
    [{ threshold: Number.NaN }],
    [{ decayMs: 0 }],
    [{ decayMs: Number.POSITIVE_INFINITY }],
    [{ pauseMs: -1 }],
    [{ jitter: -0.1 }],
  ])('rejects %o', (options) => {
    expect(() => new DecayingRestartBudget(options)).toThrow(RangeError);
  });

  it('agrees with suture handleFailedService on every sequence of failure times', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 80 }),
        (threshold, decayMs, pauseMs, gaps) => {
          const budget = new DecayingRestartBudget({ threshold, decayMs, pauseMs });
          const model = sutureModel(threshold, decayMs, pauseMs);
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            expect(budget.add(now).action).toBe(model(now));
          }
        },
      ),
      FC,
    );
  });

  it('never gives up, however fast children fail', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (gaps) => {
        const budget = new DecayingRestartBudget({ threshold: 3, decayMs: 1_000, pauseMs: 100 });
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          expect(budget.add(now).action).not.toBe('give_up');
        }
      }),
      FC,
    );
  });

  it('never pauses when failures are at least one half-life apart and the threshold is 2 or more', () => {
    // f ≤ f / 2 + 1 keeps the count at or below 2.
    fc.assert(
      fc.property(
        fc.double({ min: 2, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 100 }),
        (threshold, decayMs, extras) => {
          const budget = new DecayingRestartBudget({ threshold, decayMs });
          let now = 0;
          for (const extra of extras) {
            now += decayMs + extra;
            expect(budget.add(now)).toEqual({ action: 'restart' });
            expect(budget.failures(now)).toBeLessThanOrEqual(2);
          }
        },
      ),
      FC,
    );
  });

  it('pauses a burst at the first failure above the threshold', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 50, noNaN: true }), (threshold) => {
        const budget = new DecayingRestartBudget({ threshold, pauseMs: 10 });
        let restarts = 0;
        while (budget.add(0).action === 'restart') restarts++;
        expect(restarts).toBe(Math.floor(threshold)); // counts 1..floor(threshold) are within it
      }),
      FC,
    );
  });

  it('decays monotonically while nothing fails', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 100_000 }), (gaps, later) => {
        const budget = new DecayingRestartBudget({ threshold: 1_000, decayMs: 5_000 });
        let now = 0;
        for (const gap of gaps) budget.add((now += gap));
        const a = budget.failures(now);
        const b = budget.failures(now + later);
        expect(b).toBeLessThanOrEqual(a);
        expect(b).toBeGreaterThan(0);
      }),
      FC,
    );
  });
});

describe('intensityBudget', () => {
  it('answers exactly as RestartWindow, as restart or give_up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 40 }),
        (intensity, periodMs, gaps) => {
          const budget = intensityBudget(intensity, periodMs);
          const window = new RestartWindow(intensity, periodMs);
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const gaveUp = window.add(now);
            expect(budget.add(now)).toEqual({ action: gaveUp ? 'give_up' : 'restart' });
            if (gaveUp) return;
          }
        },
      ),
      FC,
    );
  });

  it('gives up at once with intensity 0', () => {
    expect(intensityBudget(0, 5_000).add(0)).toEqual({ action: 'give_up' });
  });
});

describe('restart budgets at their edges (mutation testing found these unchecked)', () => {
  it('intensityBudget reports its usage: restarts inside the window against the intensity', () => {
    const budget = intensityBudget(2, 1_000);
    expect(budget.usage!(0)).toEqual({ used: 0, limit: 2 });
    budget.add(0);
    budget.add(500);
    expect(budget.usage!(500)).toEqual({ used: 2, limit: 2 });
    expect(budget.usage!(1_001)).toEqual({ used: 1, limit: 2 });
  });

  it('after a pause ends, failures read 0 and the next failure starts from a count of 1', () => {
    const budget = new DecayingRestartBudget({ threshold: 2, decayMs: 1e9, pauseMs: 100 });
    expect(budget.isPaused(0)).toBe(false);
    expect(budget.usage(0)).toEqual({ used: 0, limit: 2 });
    expect(budget.add(0)).toEqual({ action: 'restart' });
    expect(budget.usage(0)).toEqual({ used: 1, limit: 2 });
    expect(budget.add(1)).toEqual({ action: 'restart' });
    expect(budget.add(2)).toEqual({ action: 'pause', resumeAt: 102 });
    expect(budget.isPaused(101)).toBe(true);
    expect(budget.failures(101)).toBeCloseTo(3, 6);
    expect(budget.isPaused(102)).toBe(false);
    expect(budget.failures(200)).toBe(0);
    expect(budget.add(200)).toEqual({ action: 'restart' });
    expect(budget.failures(200)).toBe(1);
  });

  it('does not draw from random when jitter is 0', () => {
    const budget = new DecayingRestartBudget({ threshold: 1, pauseMs: 10, random: () => { throw new Error('random drawn'); } });
    budget.add(0);
    expect(budget.add(1)).toEqual({ action: 'pause', resumeAt: 11 });
  });

  it.each<[Record<string, number>, string]>([
    [{ threshold: 0 }, 'DecayingRestartBudget: threshold must be a positive number, got 0.'],
    [{ decayMs: 0 }, 'DecayingRestartBudget: decayMs must be a positive number of milliseconds, got 0.'],
    [{ pauseMs: -1 }, 'DecayingRestartBudget: pauseMs must be a non-negative number of milliseconds, got -1.'],
    [{ jitter: -0.5 }, 'DecayingRestartBudget: jitter must be a non-negative fraction, got -0.5.'],
    [{ threshold: Number.POSITIVE_INFINITY }, 'DecayingRestartBudget: threshold must be a positive number, got Infinity.'],
  ])('rejects %j with an error naming the option, its rule and the value', (options, message) => {
    expect(() => new DecayingRestartBudget(options)).toThrow(new RangeError(message));
  });
});
