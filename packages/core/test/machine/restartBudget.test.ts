// Issue 6: the decaying restart budget, as an alternative to OTP's intensity window.
import { describe, expect, it } from 'vitest';
import { DecayingRestartBudget, whichChildren } from '@trellis/core';
import { scriptedChild } from '@trellis/core/testing';
import { flush, start, stateOf } from '../helpers.js';

describe('restartBudget', () => {
  it('a decaying budget pauses restarts when over its threshold instead of giving up, then restarts', async () => {
    const kid = scriptedChild();
    const { sup, clock, facts } = await start({
      id: 'root',
      restartBudget: () => new DecayingRestartBudget({ threshold: 2, decayMs: 30_000, pauseMs: 15_000 }),
      children: [{ id: 'w', start: kid }],
    });
    for (let i = 0; i < 3; i++) {
      kid.crash();
      await flush();
    }
    // 3 failures in a row: the third is over the threshold of 2, so its restart is held.
    expect(kid.handovers).toHaveLength(3);
    expect(whichChildren(sup)[0]).toMatchObject({ status: 'restarting' });
    expect(whichChildren(sup)[0]!.nextRestartAt! - clock.now()).toBe(15_000);
    expect(stateOf(sup)).toBe('restarting');
    clock.advance(15_000);
    await flush();
    expect(kid.handovers).toHaveLength(4);
    expect(stateOf(sup)).toBe('running');
    expect(sup.getSnapshot().status).toBe('active'); // never gave up
    expect(facts.some((f) => f.type === 'sup.intensity.exceeded')).toBe(false);
  });

  it('rejects a restartBudget that is not a factory', async () => {
    const { defineSupervisor } = await import('@trellis/core');
    expect(() => defineSupervisor({ id: 'root', children: [], restartBudget: new DecayingRestartBudget() as never })).toThrow(
      expect.objectContaining({ field: 'restartBudget' }) as unknown as Error,
    );
  });
});

describe('restartBudgetUsage', () => {
  it('reports restarts inside the intensity window, and forgets them once the window passes', async () => {
    const { defineSupervisor, restartBudgetUsage, startSupervisor, stopSupervisor } = await import('@trellis/core');
    const { createTestClock, scriptedChild, settle } = await import('@trellis/core/testing');
    const clock = createTestClock();
    const db = scriptedChild();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 3, periodMs: 1_000, children: [{ id: 'db', start: db }] }), { clock });
    expect(restartBudgetUsage(sup)).toEqual({ used: 0, limit: 3 });
    db.crash();
    await settle();
    db.crash();
    await settle();
    expect(restartBudgetUsage(sup)).toEqual({ used: 2, limit: 3 });
    await clock.advance(1_001);
    expect(restartBudgetUsage(sup)).toEqual({ used: 0, limit: 3 });
    await stopSupervisor(sup);
    expect(() => restartBudgetUsage(sup)).toThrow(/restartBudgetUsage/);
  });
});
