// Issue 13, one door: every child event (readiness, a crash, a clean exit) reaches the supervisor
// through its machine's config, so XState's inspection API shows each as the event it is.
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { defineSupervisor, startChild, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';

type Microstep = Extract<InspectionEvent, { type: '@xstate.microstep' }>;

describe('child events enter the supervisor by one door', () => {
  it('a crash, a clean exit and a readiness are each a microstep of the supervisor machine, taken by its config', async () => {
    const inspected: InspectionEvent[] = [];
    const db = scriptedChild();
    const cache = scriptedChild();
    const web = scriptedChild({ awaitReady: true });
    const logic = defineSupervisor({ id: 'root', intensity: 5, children: [{ id: 'db', start: db }, { id: 'cache', start: cache, restart: 'transient' }] });
    const sup = await startSupervisor(logic, { clock: createTestClock(), inspect: (event) => inspected.push(event) });
    const step = (type: string): Microstep | undefined =>
      inspected.find((e): e is Microstep => e.type === '@xstate.microstep' && e.actorRef === sup && e.event.type === type);

    db.crash(new Error('boom'));
    await settle();
    const crash = step('trellis.child.error');
    expect(crash?.event).toMatchObject({ actorId: 'db@0', error: expect.objectContaining({ message: 'boom' }) });
    // Taken by a transition of the machine's config (its `handle` action), not beside the machine.
    expect(crash?._transitions.map((t) => t.eventType)).toEqual(['trellis.child.error']);
    expect(whichChildren(sup).find((c) => c.id === 'db')?.incarnation).toBe(1);

    cache.exitNormal();
    await settle();
    expect(step('trellis.child.done')?.event).toMatchObject({ actorId: 'cache@0' });
    expect(step('trellis.child.done')?._transitions.map((t) => t.eventType)).toEqual(['trellis.child.done']);

    const started = startChild(sup, { id: 'web', start: web });
    await settle();
    web.ready();
    await started;
    expect(step('trellis.ready')?.event).toMatchObject({ actorId: 'web@0' });
    expect(step('trellis.ready')?._transitions.map((t) => t.eventType)).toEqual(['trellis.ready']);
    await stopSupervisor(sup);
  });

  it("the state follows the runtime's phase through sup.phase, raised only when the phase changes", async () => {
    const inspected: InspectionEvent[] = [];
    const db = scriptedChild();
    const deaf = scriptedChild({ ignoreStop: true });
    const logic = defineSupervisor({ id: 'root', intensity: 5, children: [{ id: 'db', start: db }, { id: 'deaf', start: deaf, shutdown: 100 }] });
    const clock = createTestClock();
    const sup = await startSupervisor(logic, { clock, inspect: (event) => inspected.push(event) });
    const phaseSteps = (): string[] =>
      inspected.filter((e): e is Microstep => e.type === '@xstate.microstep' && e.actorRef === sup && e.event.type === 'sup.phase').map((e) => String((e.snapshot as { value?: unknown }).value));
    expect(phaseSteps()).toEqual(['running']); // starting -> running, once init has started every child

    // A restart is synchronous: the phase never leaves `running`, so no phase event, no transition.
    db.crash(new Error('boom'));
    await settle();
    expect(whichChildren(sup).find((c) => c.id === 'db')?.incarnation).toBe(1);
    expect(phaseSteps()).toEqual(['running']);

    // A shutdown that must wait for `deaf`: one step into shuttingDown, one into stopped.
    const stopped = stopSupervisor(sup);
    await settle();
    expect(sup.getSnapshot().value).toBe('shuttingDown');
    expect(phaseSteps()).toEqual(['running', 'shuttingDown']);
    clock.advance(100);
    await stopped;
    expect(phaseSteps()).toEqual(['running', 'shuttingDown', 'stopped']);
  });
});
