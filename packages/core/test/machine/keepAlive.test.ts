// Decision 0008: a started root supervisor holds its program open (Clock.keepAlive) from its start
// to its end, whichever way it ends; nested supervisors and unstarted actors hold nothing.
// The program-level behaviour on the real clock is test/integration/programLife.test.ts.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { defineSupervisor, startSupervisor, stopSupervisor, type Clock, type SupervisorExit } from '@trellis/core';
import { createTestClock, scriptedChild, type TestClock } from '@trellis/core/testing';
import { flush } from '../helpers.js';

/** A test clock whose keepAlive counts its holders. */
function holdingClock(): TestClock & { holders: () => number; acquired: () => number } {
  const clock = createTestClock(1_000);
  let holders = 0;
  let acquired = 0;
  const keepAlive: NonNullable<Clock['keepAlive']> = () => {
    holders++;
    acquired++;
    let released = false;
    return () => {
      if (released) throw new Error('released twice');
      released = true;
      holders--;
    };
  };
  return Object.assign(clock, { keepAlive, holders: () => holders, acquired: () => acquired });
}

describe('the tree holds the program (decision 0008)', () => {
  it('a root holds from its start until stopSupervisor ends it; its nested supervisors hold nothing', async () => {
    const clock = holdingClock();
    const inner = defineSupervisor({ id: 'inner', children: [{ id: 'w', start: scriptedChild() }] });
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'inner', start: inner }] }), { clock });
    expect([clock.holders(), clock.acquired()]).toEqual([1, 1]);
    await stopSupervisor(sup);
    expect(clock.holders()).toBe(0);
  });

  it('an actor created but never started holds nothing', () => {
    const clock = holdingClock();
    createActor(defineSupervisor({ id: 'root', children: [] }), { clock });
    expect(clock.acquired()).toBe(0);
  });

  it('a root that gives up lets the program go', async () => {
    const clock = holdingClock();
    const kid = scriptedChild();
    const ended: SupervisorExit[] = [];
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 0, children: [{ id: 'w', start: kid }] }), { clock, onGiveUp: (exit) => ended.push(exit) });
    expect(clock.holders()).toBe(1);
    kid.crash();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
    expect(ended).toEqual([{ reason: 'shutdown', detail: 'reached_max_restart_intensity' }]);
    expect(clock.holders()).toBe(0);
  });

  it('a root killed from outside (actor.stop) lets the program go', async () => {
    const clock = holdingClock();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: scriptedChild() }] }), { clock });
    sup.stop();
    expect(clock.holders()).toBe(0);
  });

  it('a root whose child fails to start holds nothing once startSupervisor has rejected', async () => {
    const clock = holdingClock();
    await expect(startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: scriptedChild({ failStarts: 'always' }) }] }), { clock })).rejects.toThrow();
    expect([clock.holders(), clock.acquired()]).toEqual([0, 1]);
  });

  it('a root holds through a shutdown that waits out a deaf child, and lets go only at its end', async () => {
    const clock = holdingClock();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'deaf', start: scriptedChild({ ignoreStop: true }), shutdown: 5_000 }] }), { clock });
    const stopped = stopSupervisor(sup);
    await flush();
    expect(clock.holders()).toBe(1); // the shutdown timer is still pending: the program must live
    clock.advance(5_000);
    expect(await stopped).toEqual({ reason: 'normal' });
    expect(clock.holders()).toBe(0);
  });
});
