// Issue 13: the supervisor reads its clock once per event it handles. A restart used to read it
// three times (the exit's time, the restart budget, the new incarnation's backoff start); each
// reading of one synchronously handled event would differ only by microseconds.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, restartBudgetUsage, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTestClock, scriptedChild, settle, type TestClock } from '@trellis/core/testing';

/** A test clock that counts its readings. */
function countingClock(): { clock: TestClock; reads: () => number } {
  const inner = createTestClock(1_000);
  let reads = 0;
  const clock: TestClock = { ...inner, now: () => (reads++, inner.now()) };
  return { clock, reads: () => reads };
}

describe('the clock is read once per handled event', () => {
  it.each(['one_for_one', 'one_for_all', 'rest_for_one'] as const)('a crash and its restart read the clock once (%s)', async (strategy) => {
    const { clock, reads } = countingClock();
    const kids = [scriptedChild(), scriptedChild(), scriptedChild()];
    const sup = await startSupervisor(
      defineSupervisor({ id: 'root', strategy, intensity: 10, children: kids.map((start, i) => ({ id: `c${i}`, start, shutdown: 'brutal_kill' as const })) }),
      { clock },
    );
    await settle();
    const before = reads();
    kids[0]!.crash(new Error('boom'));
    await settle();
    expect(whichChildren(sup).find((c) => c.id === 'c0')?.restarts).toBe(1);
    expect(reads() - before).toBe(1);
    await stopSupervisor(sup);
  });

  it('a reading outside any event is the clock now, not the last event\'s', async () => {
    const { clock } = countingClock();
    const kid = scriptedChild();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 3, periodMs: 1_000, children: [{ id: 'c', start: kid }] }), { clock });
    kid.crash(new Error('boom'));
    await settle();
    expect(restartBudgetUsage(sup)).toEqual({ used: 1, limit: 3 });
    clock.advance(1_001); // the restart left the window
    expect(restartBudgetUsage(sup)).toEqual({ used: 0, limit: 3 });
    await stopSupervisor(sup);
  });
});
