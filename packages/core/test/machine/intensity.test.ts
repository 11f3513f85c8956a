// OTP-SEMANTICS §1.5: restart intensity, on the injected clock.
import { describe, expect, it } from 'vitest';
import { defineSupervisor, restartChild, stopSupervisor, terminateChild, whichChildren, type SupervisorRef } from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush, scripted, start, stateOf } from '../helpers.js';

describe('restart intensity', () => {
  it('intensity_boundary: with intensity 2 two rapid restarts are survived and the third gives up', async () => {
    const { kids, specs } = scripted(1);
    const { sup } = await start({ id: 'root', intensity: 2, periodMs: 5_000, children: specs });
    kids[0]!.crash();
    await flush();
    kids[0]!.crash();
    await flush();
    expect(stateOf(sup)).toBe('running');
    kids[0]!.crash();
    await flush();
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  });

  it('multiple_restarts: with intensity 1 and period 1 s, crashes 2.1 s apart never give up', async () => {
    const { kids, specs } = scripted(1);
    const { sup, clock } = await start({ id: 'root', intensity: 1, periodMs: 1_000, children: specs });
    for (let i = 0; i < 4; i++) {
      clock.advance(2_100);
      kids[0]!.crash();
      await flush();
      expect(stateOf(sup)).toBe('running');
    }
    expect(whichChildren(sup)[0]?.restarts).toBe(4);
  });

  it('counts the window inclusively at its edge, in milliseconds', async () => {
    const { kids, specs } = scripted(1);
    const { sup, clock } = await start({ id: 'root', intensity: 1, periodMs: 1_000, children: specs });
    kids[0]!.crash();
    await flush();
    clock.advance(1_000); // exactly periodMs later: the first restart is still inside the window
    kids[0]!.crash();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('intensity 0 gives up on the first automatic restart', async () => {
    const { kids, specs } = scripted(1);
    const { sup } = await start({ id: 'root', intensity: 0, children: specs });
    kids[0]!.crash();
    await flush();
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  });

  it('manual_restart_not_counted: five manual restarts and one automatic one are survived with intensity 1', async () => {
    const { kids, specs } = scripted(1);
    const { sup } = await start({ id: 'root', intensity: 1, children: specs });
    for (let i = 0; i < 5; i++) {
      await terminateChild(sup, 'c1');
      await restartChild(sup, 'c1');
    }
    kids[0]!.crash();
    await flush();
    expect(stateOf(sup)).toBe('running');
    kids[0]!.crash();
    await flush();
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('escalation_reason_and_order: with intensity 0 the supervisor stops the others in reverse order, all with shutdown', async () => {
    const kids = ['a', 'b', 'c', 'd'].map(() => scriptedChild());
    const { sup, facts } = await start({ id: 'root', intensity: 0, children: ['a', 'b', 'c', 'd'].map((id, i) => ({ id, start: kids[i]! })) });
    kids[1]!.crash();
    await flush();
    const stops = facts.flatMap((f) => (f.type === 'sup.child.exited' && f.decision === 'stopped' ? [[f.child, f.exit.reason]] : []));
    expect(stops).toEqual([
      ['d', 'shutdown'],
      ['c', 'shutdown'],
      ['a', 'shutdown'],
    ]);
    expect(facts.some((f) => f.type === 'sup.intensity.exceeded' && f.child === 'b')).toBe(true);
    expect(sup.getSnapshot().output).toEqual({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
  });

  it('tree: a permanent child supervisor that gives up is restarted by its parent and counted there', async () => {
    const worker = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', intensity: 0, children: [{ id: 'w', start: worker }] });
    const { sup } = await start({ id: 'root', intensity: 1, periodMs: 60_000, children: [{ id: 'sub', start: sub }] });
    worker.crash();
    await flush(6);
    const info = whichChildren(sup)[0]!;
    expect(info.status).toBe('running');
    expect(info.incarnation).toBe(1);
    expect(info.lastExit).toMatchObject({ reason: 'shutdown', detail: 'reached_max_restart_intensity' });
    // The product rule: the second give-up exceeds the parent's intensity 1.
    worker.crash();
    await flush(6);
    expect(sup.getSnapshot().status).toBe('done');
  });

  it('tree: a transient child supervisor that gives up is not restarted and nothing escalates', async () => {
    const worker = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', intensity: 0, children: [{ id: 'w', start: worker }] });
    const { sup } = await start({ id: 'root', intensity: 0, children: [{ id: 'sub', start: sub, restart: 'transient' }] });
    worker.crash();
    await flush(6);
    expect(stateOf(sup)).toBe('running');
    expect(whichChildren(sup)[0]).toMatchObject({ id: 'sub', status: 'stopped' });
    await stopSupervisor(sup);
  });

  it('uses the clock given to startSupervisor for the window', async () => {
    const clock = createTestClock(0);
    const { kids, specs } = scripted(1);
    const { sup } = await start({ id: 'root', intensity: 1, periodMs: 10_000, children: specs }, clock);
    kids[0]!.crash();
    await flush();
    clock.advance(10_001);
    kids[0]!.crash();
    await flush();
    expect((sup as SupervisorRef).getSnapshot().status).toBe('active');
  });
});

describe('onGiveUp', () => {
  it('is called once when the root gives up, with its exit, and never after stopSupervisor', async () => {
    const { defineSupervisor, startSupervisor } = await import('@trellis/core');
    const { createTestClock } = await import('@trellis/core/testing');
    const calls: unknown[] = [];
    const kid = scriptedChild();
    const sup = await startSupervisor(defineSupervisor({ id: 'root', intensity: 0, children: [{ id: 'critical', start: kid }] }), {
      clock: createTestClock(),
      onGiveUp: (exit) => calls.push(exit),
    });
    kid.crash();
    await flush();
    expect(calls).toEqual([{ reason: 'shutdown', detail: 'reached_max_restart_intensity' }]);
    expect(sup.getSnapshot().status).toBe('done');

    const calm = await startSupervisor(defineSupervisor({ id: 'root', children: [{ id: 'w', start: scriptedChild() }] }), {
      clock: createTestClock(),
      onGiveUp: (exit) => calls.push(exit),
    });
    await stopSupervisor(calm);
    await flush();
    expect(calls).toHaveLength(1);
  });
});
