// Pins every XState internal trellis relies on (src/xstateInternals.ts): if an upgrade removes
// one, this fails before anything subtler does.
import { describe, expect, it } from 'vitest';
import { createActor, createMachine, fromCallback } from 'xstate';

describe('xstate internals used by trellis', () => {
  it('an actor has _stop, _parent, _actorScope.emit, eventListeners, system._relay, logic and _snapshot', () => {
    const parent = createActor(createMachine({})).start();
    const child = createActor(fromCallback(() => {}), { parent }) as unknown as Record<string, unknown>;
    expect(typeof child._stop).toBe('function');
    expect(child._parent).toBe(parent);
    expect(typeof (child._actorScope as { emit: unknown }).emit).toBe('function');
    expect(child.eventListeners).toBeInstanceOf(Map);
    expect(typeof (child.system as { _relay: unknown })._relay).toBe('function');
    expect(typeof (child.logic as { transition: unknown }).transition).toBe('function');
    expect(child._snapshot).toBeDefined();
  });

  it("a crashed fromCallback's cleanup runs when its own stop transition is applied", () => {
    let cleaned = 0;
    const parent = createActor(createMachine({ on: { '*': {} } })).start();
    const child = createActor(
      fromCallback(({ receive }) => {
        receive(() => {
          throw new Error('x');
        });
        return () => cleaned++;
      }),
      { parent },
    ).start() as unknown as { send(e: unknown): void; logic: { transition: Function }; _snapshot: unknown; _actorScope: unknown };
    child.send({ type: 'boom' });
    expect(cleaned).toBe(0); // XState alone never releases it
    child.logic.transition(child._snapshot, { type: 'xstate.stop' }, child._actorScope);
    expect(cleaned).toBe(1);
  });
});
