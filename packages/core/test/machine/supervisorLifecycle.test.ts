// The supervisor's own life (src/runtime/supervisorLifecycle.ts): what its init says of each
// child and of itself, how a failed init ends it, what its ordered stop announces, and what a
// subtree killed from outside leaves in its children's history.
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { defineSupervisor, restartChild, StartChildError, stopSupervisor, terminateChild } from '@trellis/core';
import { createTestClock, scriptedChild } from '@trellis/core/testing';
import { flush, start, stateOf } from '../helpers.js';

describe('supervisor lifecycle', () => {
  it('init starts every child with cause init, and the supervisor is then running', async () => {
    const { sup, facts } = await start({ id: 'root', children: [{ id: 'a', start: scriptedChild() }, { id: 'b', start: scriptedChild() }] });
    expect(facts).toEqual([]); // start() subscribes after the start: nothing since
    expect(stateOf(sup)).toBe('running');
    const seen: unknown[] = [];
    const actor = createActor(defineSupervisor({ id: 'root', children: [{ id: 'a', start: scriptedChild() }, { id: 'b', start: scriptedChild() }] }), { input: { clock: createTestClock() } } as never);
    actor.on('sup.child.started', (fact) => seen.push(fact));
    actor.start();
    await flush();
    expect(seen).toEqual([
      expect.objectContaining({ child: 'a', incarnation: 0, cause: 'init' }),
      expect.objectContaining({ child: 'b', incarnation: 0, cause: 'init' }),
    ]);
    actor.stop();
  });

  it('a failed init stops the children already started and ends the supervisor with shutdown and a StartChildError', async () => {
    const first = scriptedChild();
    const actor = createActor(
      defineSupervisor({ id: 'root', children: [{ id: 'a', start: first }, { id: 'b', start: scriptedChild({ failStarts: 'always' }) }] }),
      { input: { clock: createTestClock() } } as never,
    );
    actor.start();
    const done = await waitFor(actor, (s) => s.status !== 'active');
    expect(first.running).toBe(false);
    expect(done.output).toEqual({ reason: 'shutdown', detail: expect.any(StartChildError) });
    expect((done.output as { detail: StartChildError }).detail).toMatchObject({ supervisorId: 'root', childId: 'b' });
  });

  it('is shutting down, not still starting, while a failed init waits for the children it started to stop', async () => {
    const slow = scriptedChild({ ignoreStop: true });
    const clock = createTestClock();
    const actor = createActor(
      defineSupervisor({ id: 'root', children: [{ id: 'a', start: slow, shutdown: 1_000 }, { id: 'b', start: scriptedChild({ failStarts: 'always' }) }] }),
      { input: { clock } } as never,
    );
    actor.start();
    await flush();
    expect(actor.getSnapshot().status).toBe('active');
    expect(String(actor.getSnapshot().value)).toBe('shuttingDown');
    clock.advance(1_000);
    const done = await waitFor(actor, (s) => s.status !== 'active');
    expect(done.output).toMatchObject({ reason: 'shutdown' });
  });

  it('announces its ordered stop with the exit reason only, when the stop has no detail', async () => {
    const { sup, facts } = await start({ id: 'root', children: [{ id: 'a', start: scriptedChild() }] });
    await stopSupervisor(sup, 'shutdown');
    const stopping = facts.find((f) => f.type === 'sup.stopping');
    expect(stopping && 'exit' in stopping && Object.keys(stopping.exit)).toEqual(['reason']);
  });

  it('a child supervisor killed from outside records killed as the last exit of each child it had running', async () => {
    const leaf = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'leaf', start: leaf }] });
    const { sup } = await start({ id: 'root', children: [{ id: 'sub', start: sub, shutdown: 'brutal_kill' }] });
    await terminateChild(sup, 'sub');
    await restartChild(sup, 'sub');
    await flush();
    expect(leaf.handovers).toHaveLength(2);
    expect(leaf.handovers[1]).toMatchObject({ incarnation: 1, previousExit: { reason: 'killed' } });
  });

  it('its ordered stop drops its temporary children, and their history with them: a restarted subtree starts them at incarnation 0', async () => {
    const temp = scriptedChild();
    const kept = scriptedChild();
    const sub = defineSupervisor({ id: 'sub', children: [{ id: 'temp', start: temp, restart: 'temporary' }, { id: 'kept', start: kept }] });
    const { sup } = await start({ id: 'root', children: [{ id: 'sub', start: sub }] });
    await terminateChild(sup, 'sub');
    await restartChild(sup, 'sub');
    await flush();
    expect(kept.handovers[1]).toMatchObject({ incarnation: 1, previousExit: { reason: 'shutdown' } });
    expect(temp.handovers[1]).toMatchObject({ incarnation: 0, previousExit: null });
  });
});
