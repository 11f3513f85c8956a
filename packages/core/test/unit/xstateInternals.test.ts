// Pins every XState internal trellis relies on (src/xstateInternals.ts) by what it does, not by
// whether a property exists: if an upgrade changes how one behaves, this fails before anything
// subtler does. `scripts/xstate/range.mjs` runs it against the newest xstate 5.x too.
import { describe, expect, it } from 'vitest';
import { createActor, createMachine, fromCallback, fromPromise, setup, type AnyActorRef, type EventObject, type InspectionEvent } from 'xstate';
import { emitFrom, hasListeners, interceptTransition, parentOf, relay, releaseCrashed, stopActor } from '../../src/xstateInternals.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('xstate internals used by trellis', () => {
  it('stopActor stops a child that has a parent (actor.stop() would not), runs its cleanup, and tells the parent nothing', async () => {
    const received: string[] = [];
    const parent = createActor(createMachine({ on: { '*': { actions: ({ event }) => received.push(event.type) } } })).start();
    let cleaned = 0;
    const child = createActor(fromCallback(() => () => cleaned++), { parent }).start();
    stopActor(child);
    await flush();
    expect(child.getSnapshot().status).toBe('stopped');
    expect(cleaned).toBe(1);
    expect(received).toEqual([]);
  });

  it("parentOf is the parent an actor was created with; relay delivers an event with the child as its source, as the inspector sees it", () => {
    const inspected: InspectionEvent[] = [];
    const received: EventObject[] = [];
    const parent = createActor(createMachine({ on: { ping: { actions: ({ event }) => received.push(event) } } }), { inspect: (e) => inspected.push(e) }).start();
    const child = createActor(fromCallback(() => {}), { parent }).start();
    expect(parentOf(child)).toBe(parent);
    expect(parentOf(parent)).toBeUndefined();
    relay(child, parent, { type: 'ping' });
    expect(received).toEqual([{ type: 'ping' }]);
    const sent = inspected.find((e): e is Extract<InspectionEvent, { type: '@xstate.event' }> => e.type === '@xstate.event' && e.event.type === 'ping');
    expect(sent?.sourceRef).toBe(child);
    expect(sent?.actorRef).toBe(parent);
  });

  it('emitFrom reaches the listeners of that type and of *, isolates a throwing listener, and hasListeners follows subscriptions', () => {
    const actor = createActor(setup({ types: {} as { emitted: { type: 'fact'; n: number } } }).createMachine({})).start() as AnyActorRef;
    expect(hasListeners(actor)).toBe(false);
    const seen: string[] = [];
    const errors: unknown[] = [];
    const one = actor.on('fact', (e: { n: number }) => seen.push(`fact ${e.n}`));
    actor.on('fact', () => {
      throw new Error('listener down');
    });
    const all = actor.on('*', (e: EventObject) => seen.push(`* ${e.type}`));
    expect(hasListeners(actor)).toBe(true);
    emitFrom(actor, { type: 'fact', n: 1 } as EventObject, (error) => errors.push(error));
    expect(seen).toEqual(['fact 1', '* fact']);
    expect(errors).toEqual([new Error('listener down')]);
    one.unsubscribe();
    all.unsubscribe();
    // Only the throwing listener is left; XState keeps a type's Set after its last listener leaves.
    expect(hasListeners(actor)).toBe(true);
  });

  it("releaseCrashed runs a crashed fromCallback's cleanup, which XState alone never does, and swallows what it throws", async () => {
    let cleaned = 0;
    const parent = createActor(createMachine({ on: { '*': {} } })).start();
    const child = createActor(
      fromCallback(({ receive }) => {
        receive(() => {
          throw new Error('x');
        });
        return () => {
          cleaned++;
          throw new Error('cleanup down');
        };
      }),
      { parent },
    ).start();
    child.send({ type: 'boom' });
    await flush();
    expect(child.getSnapshot().status).toBe('error');
    expect(cleaned).toBe(0); // XState alone never releases it
    expect(() => releaseCrashed(child)).not.toThrow();
    expect(cleaned).toBe(1);
  });

  it("interceptTransition takes events before the config (keeping the snapshot, or handing it another event), and sees xstate.stop and a throwing transition", async () => {
    const handled: EventObject[] = [];
    const seen: string[] = [];
    const taken: EventObject[] = [];
    const machine = setup({ actors: { job: fromPromise(async () => 42) } }).createMachine({
      invoke: { src: 'job', id: 'job' },
      on: {
        'renamed.done': { actions: ({ event }) => handled.push(event) },
        direct: { actions: ({ event }) => handled.push(event) },
        explode: {
          actions: () => {
            throw new Error('transition down');
          },
        },
      },
    });
    interceptTransition(machine, {
      take: (_snapshot, event) => {
        if (event.type.startsWith('xstate.done.actor.')) return { ...event, type: 'renamed.done' };
        if (event.type !== 'direct') return undefined;
        taken.push(event);
        return null;
      },
      stopped: () => seen.push('stopped'),
      failed: () => seen.push('failed'),
    });
    const actor = createActor(machine).start();
    await flush();
    expect(handled).toMatchObject([{ type: 'renamed.done', output: 42, actorId: 'job' }]);
    // Taken with `null`: the config never sees it, and the snapshot is the same object (no macrostep).
    const before = actor.getSnapshot();
    actor.send({ type: 'direct' });
    expect(taken).toEqual([{ type: 'direct' }]);
    expect(handled).toHaveLength(1);
    expect(actor.getSnapshot()).toBe(before);
    actor.stop();
    expect(seen).toEqual(['stopped']);

    const broken = createActor(machine);
    broken.subscribe({ error: () => {} });
    broken.start();
    broken.send({ type: 'explode' });
    expect(seen).toEqual(['stopped', 'failed']);
    expect(broken.getSnapshot().status).toBe('error');
  });
});
