// Issue 13, one door (decision 0028): every event of the runtime (readiness, a crash, a clean
// exit, a command) reaches it the same way, through the machine's transition, and XState's
// inspection API shows each as the event it is; the machine's config takes a step only when the
// runtime's phase moved.
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { defineSupervisor, startChild, startSupervisor, stopSupervisor, whichChildren } from '@trellis/core';
import { createTestClock, scriptedChild, settle } from '@trellis/core/testing';

type Microstep = Extract<InspectionEvent, { type: '@xstate.microstep' }>;
type Relayed = Extract<InspectionEvent, { type: '@xstate.event' }>;
type Snapshot = Extract<InspectionEvent, { type: '@xstate.snapshot' }>;

describe('child events enter the supervisor by one door', () => {
  it('a crash, a clean exit, a readiness and a command each show as an event sent to the supervisor, and a restart takes no macrostep', async () => {
    const inspected: InspectionEvent[] = [];
    const db = scriptedChild();
    const cache = scriptedChild();
    const web = scriptedChild({ awaitReady: true });
    const logic = defineSupervisor({ id: 'root', intensity: 5, children: [{ id: 'db', start: db }, { id: 'cache', start: cache, restart: 'transient' }] });
    const sup = await startSupervisor(logic, { clock: createTestClock(), inspect: (event) => inspected.push(event) });
    const sent = (type: string): Relayed | undefined => inspected.find((e): e is Relayed => e.type === '@xstate.event' && e.actorRef === sup && e.event.type === type);
    // The supervisor's snapshot after the event: XState reports one for every event it takes.
    const after = (type: string): Snapshot | undefined => inspected.find((e): e is Snapshot => e.type === '@xstate.snapshot' && e.actorRef === sup && e.event.type === type);
    const steps = (): string[] => inspected.filter((e): e is Microstep => e.type === '@xstate.microstep' && e.actorRef === sup).map((e) => e.event.type);
    const stepsAtStart = steps();

    db.crash(new Error('boom'));
    await settle();
    const crash = sent('xstate.error.actor.db@0');
    expect(crash?.event).toMatchObject({ actorId: 'db@0', error: expect.objectContaining({ message: 'boom' }) });
    expect((crash?.sourceRef as { id?: string } | undefined)?.id).toBe('db@0'); // the inspector draws it from the child to the supervisor
    expect(after('xstate.error.actor.db@0')).toBeDefined();
    expect(whichChildren(sup).find((c) => c.id === 'db')?.incarnation).toBe(1);
    // The restart was synchronous and left the phase as it was: the machine took no step.
    expect(steps()).toEqual(stepsAtStart);

    cache.exitNormal();
    await settle();
    expect(sent('xstate.done.actor.cache@0')?.event).toMatchObject({ actorId: 'cache@0' });
    expect(whichChildren(sup).find((c) => c.id === 'cache')?.status).toBe('stopped');
    expect(steps()).toEqual(stepsAtStart);

    const started = startChild(sup, { id: 'web', start: web });
    await settle();
    expect(sent('sup.startChild')).toBeDefined();
    web.ready();
    await started;
    expect(sent('trellis.ready')?.event).toMatchObject({ actorId: 'web@0' });
    expect((sent('trellis.ready')?.sourceRef as { id?: string } | undefined)?.id).toBe('web@0');
    expect(whichChildren(sup).find((c) => c.id === 'web')?.status).toBe('running');
    // The only steps the machine took: its state following the phase while the start waited.
    expect(steps().slice(stepsAtStart.length)).toEqual(['sup.phase', 'sup.phase']);
    await stopSupervisor(sup);
  });

  it("the state follows the runtime's phase through sup.phase, taken only when the phase changes", async () => {
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
